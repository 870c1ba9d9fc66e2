/** Thrown at boot when an environment variable has a bad value; the message names the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration: ' + problems.map((p) => `${p.variable} ${p.message}`).join('; '),
    );
    this.name = 'ConfigError';
  }
}
