// Plays the runtime in local-mode tests: serves /readyz, /healthz, a request counter on /metrics, the log format
// it was given on /log-format and its own port (which process answered) on /port at --urls.
const http = require('http');
const args = process.argv.slice(2);
const url = new URL(args[args.indexOf('--urls') + 1]);
let requests = 0;
http.createServer((req, res) => {
  requests++;
  if (req.url === '/log-format') { res.end(process.env.Logging__Console__FormatterName ?? ''); return; }
  if (req.url === '/port') { res.end(url.port); return; }
  if (req.url === '/metrics') { res.end(`personalize_runtime_requests_total{operation="recommendations"} ${requests}\n`); return; }
  res.end('ok');
}).listen(Number(url.port), url.hostname);
