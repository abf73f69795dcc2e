import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isListening, waitForPort } from './port.js';

/**
 * The machine's own database servers (PostgreSQL 5432, MariaDB 3306, Redis 6379). They are the
 * machine's, not the tests', so a test run starts one that is down and leaves it running.
 */
interface SystemService {
  name: string;
  port: number;
  start: string;
  install: string;
}

const SERVICES: SystemService[] = [
  {
    name: 'Redis',
    port: 6379,
    start: `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`,
    install: 'apt-get install redis-server',
  },
  {
    name: 'PostgreSQL',
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    install: 'apt-get install postgresql (a cluster "main" with trust auth for 127.0.0.1 and a database "test")',
  },
  {
    name: 'MariaDB',
    port: 3306,
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    install: 'apt-get install mariadb-server (root with an empty password, database "test")',
  },
];

/** Makes sure the named system services listen; starts any that is down; fails saying how to get it. */
export async function ensureSystemServices(names: string[]): Promise<void> {
  for (const service of SERVICES.filter((candidate) => names.includes(candidate.name))) {
    if (await isListening(service.port)) continue;
    const binary = service.start.split(' ')[0]!;
    if (binary !== 'pg_ctlcluster' && !existsSync(`/usr/bin/${binary}`) && !existsSync(`/usr/sbin/${binary}`)) {
      throw new Error(`${service.name} is not running on 127.0.0.1:${service.port} and is not installed: ${service.install}`);
    }
    try {
      execSync(service.start, { stdio: 'pipe', shell: '/bin/bash', timeout: 60_000 });
    } catch (err) {
      throw new Error(`${service.name} is not running on 127.0.0.1:${service.port} and \`${service.start}\` failed: ${(err as Error).message}. Install: ${service.install}`);
    }
    await waitForPort(service.port, service.name);
  }
}
