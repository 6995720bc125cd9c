// The version people see in --version, logs and metrics comes from package.json alone.
import packageJson from '../package.json' with { type: 'json' };

export const VERSION: string = packageJson.version;
