// Starts the real cadastre-server binary on 127.0.0.1 with free ports and a
// temporary data directory, as tests/integration/server_process.cc does.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ServerProcess {
  constructor(binary) {
    this.binary = binary;
    this.child = null;
  }

  // Resolves once GET /healthz answers 200; rejects (with the log's tail)
  // after `deadlineMs` or when the process ends first.
  async start(deadlineMs = 15000) {
    this.root = await mkdtemp(path.join(os.tmpdir(), 'cadastre-browser-'));
    this.dataDir = path.join(this.root, 'data');
    this.logPath = path.join(this.root, 'server.log');
    this.httpPort = await freePort();
    this.grpcPort = await freePort();
    const log = openSync(this.logPath, 'a');
    this.child = spawn(this.binary, [
      '--data-dir', this.dataDir, '--bind', '127.0.0.1',
      '--http-port', String(this.httpPort), '--grpc-port', String(this.grpcPort),
      '--durability', 'normal', '--log-level', 'warn',
    ], { stdio: ['ignore', log, log] });
    closeSync(log);
    let exited = null;
    this.child.on('exit', (code, signal) => { exited = { code, signal }; });
    this.base = `http://127.0.0.1:${this.httpPort}`;
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      if (exited) throw new Error(`cadastre-server exited (${JSON.stringify(exited)}):\n${await this.logTail()}`);
      try {
        const res = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) {
          this.token = (await readFile(path.join(this.dataDir, 'admin.token'), 'utf8')).trim();
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`cadastre-server did not answer /healthz within ${deadlineMs} ms:\n${await this.logTail()}`);
  }

  async logTail(bytes = 4000) {
    try {
      const text = await readFile(this.logPath, 'utf8');
      return text.slice(-bytes);
    } catch {
      return '(no log)';
    }
  }

  // SIGTERM, then SIGKILL after `graceMs`; removes the temporary directory
  // unless `keep`.
  async stop({ graceMs = 5000, keep = false } = {}) {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const ended = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await ended;
      clearTimeout(timer);
    }
    this.child = null;
    if (this.root && !keep) await rm(this.root, { recursive: true, force: true });
  }
}
