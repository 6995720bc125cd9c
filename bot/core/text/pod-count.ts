/** "1 pod", "3 pods", "? pods" while the count is unknown. */
export function podCount(count: number | undefined): string {
  return count === undefined ? '? pods' : `${count} pod${count === 1 ? '' : 's'}`;
}
