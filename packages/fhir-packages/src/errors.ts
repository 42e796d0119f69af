/** A required FHIR package could not be found in any of the configured places. */
export class PackageNotFoundError extends Error {
  constructor(
    readonly packageName: string,
    readonly version: string,
    readonly placesLooked: string[],
  ) {
    super(`FHIR package ${packageName}#${version} was not found. Places looked:\n` + placesLooked.map((p) => `  - ${p}`).join('\n'));
    this.name = 'PackageNotFoundError';
  }
}

/** A package was found but its content is not a usable FHIR package. */
export class InvalidPackageError extends Error {
  constructor(
    readonly packageName: string,
    readonly version: string,
    readonly where: string,
    reason: string,
  ) {
    super(`FHIR package ${packageName}#${version} at ${where} is not usable: ${reason}`);
    this.name = 'InvalidPackageError';
  }
}

/** The project configuration (sushi-config.yaml) is missing or malformed. */
export class ProjectConfigError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ProjectConfigError';
  }
}
