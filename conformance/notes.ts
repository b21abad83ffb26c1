/** Skip-note prefixes: a test skipped with one of these is reported n/a or version in the matrix. */
export const NOTE_NA = 'n/a: ';
export const NOTE_VERSION = 'version: ';
