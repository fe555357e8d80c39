/** The message of anything thrown, prefixed by its error class when it has a telling one (ShapeError, ...). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(e);
}
