/** @internal this package's version, written into every model's producer_version (a test keeps it equal to package.json's). */
export const VERSION = '0.1.0';
