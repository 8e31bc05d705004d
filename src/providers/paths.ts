/** One URL path segment decoded (`%3A` to `:`); the segment as it is when it is not valid. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
