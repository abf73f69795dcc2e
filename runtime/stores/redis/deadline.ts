/** Rejects when `work` has not settled within `limit` ms (`false`: no limit); for the store's connection set-up calls. */
export function withDeadline<T>(work: Promise<T>, limit: number | false): Promise<T> {
  if (limit === false) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${limit} ms`)), limit);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
