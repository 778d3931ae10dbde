/** A count with its noun in the right number: `counted(1, 'queue')` is '1 queue', `counted(2, 'queue')` '2 queues'. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
