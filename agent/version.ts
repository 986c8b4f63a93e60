/** The agent's version: the project's (package.json), bundled into the image. */
import project from '../package.json' with { type: 'json' };

export const AGENT_VERSION: string = project.version;
