/** What local SDK clients share: dummy credentials (the embedded servers do not check signatures). */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The account id embedded servers put in ARNs and queue URLs. */
export const LOCAL_ACCOUNT_ID = '000000000000';
