/** Runs at most `limit` of the works given to it at once, the others in the order they were given. */
export function limiter(limit: number): (work: () => Promise<void>) => Promise<void> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running < limit) running++;
    else await new Promise<void>((go) => waiting.push(go)); // the slot is handed over by the work that ends
    try {
      await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
