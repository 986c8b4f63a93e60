/** A scenario file (or text) that cannot be used: names the file and the field at fault. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** A request to the fleet API (addNode, injectFault…) naming something that does not exist. */
export class FleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetError';
  }
}
