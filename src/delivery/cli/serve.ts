import type { Config } from '../../config/config.ts';
import { createParley } from '../../main.ts';
import { buildApp } from '../http/build-app.ts';
import { seedDemo, type DemoResult } from './seed-demo.ts';

export interface ServeOptions {
  firstRun: boolean;
  demoSmtpPort: number;
  out: (line: string) => void;
  printDemo: (result: DemoResult, out: (line: string) => void) => void;
}

/** `parley serve`: migrate, optionally seed an empty database, listen until SIGINT/SIGTERM. */
export async function serve(config: Readonly<Config>, options: ServeOptions): Promise<void> {
  const parley = createParley(config);
  await parley.storage.migrate();
  if (options.firstRun && (await parley.storage.countUsers()) === 0) {
    options.printDemo(await seedDemo(parley.deps, { smtpPort: options.demoSmtpPort }), options.out);
  }
  const app = await buildApp(parley.deps, {
    processMetrics: true,
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'] },
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await parley.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  options.out(`Parley is listening on http://${config.host}:${port} (database: ${config.databaseUrl.split('://')[0]!.split(':')[0]}; key: ${config.secretKeySource}).`);
  options.out(`  API: ${config.publicUrl}/api/v1   API docs: ${config.publicUrl}/api/docs   health: ${config.publicUrl}/healthz`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  options.out('Stopping…');
  await app.close();
  await parley.close();
}
