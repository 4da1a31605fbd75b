// Plays the trainer in local-mode tests: reads job.json, appends the run (and the log format it was given) to
// runs.log, writes a SUCCEEDED JobResult
// where the spec says (s3://bucket/key under PERSONALIZE_STORE_ROOT), exits 0.
const fs = require('fs');
const path = require('path');
const [verb, , specPath] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const root = process.env.PERSONALIZE_STORE_ROOT;
const local = (uri) => path.join(root, uri.replace('s3://', ''));
fs.mkdirSync(root, { recursive: true });
fs.appendFileSync(path.join(root, 'runs.log'), `${verb} ${spec.jobName} log-format=${process.env.Logging__Console__FormatterName ?? ''}\n`);
const now = new Date().toISOString();
const result = { status: 'SUCCEEDED', startedAt: now, finishedAt: now };
if (verb === 'import') result.import = { rowsRead: 10, rowsImported: 10, rowsRejected: 0, datasetRowCount: 10 };
if (verb === 'train') result.train = { recipe: spec.train.recipe, modelUri: spec.train.modelUri, metrics: { precision_at_25: 0.1 }, tunedHyperParameters: {}, trainingSeconds: 1, interactions: 10 };
fs.mkdirSync(path.dirname(local(spec.resultUri)), { recursive: true });
fs.writeFileSync(local(spec.resultUri), JSON.stringify(result));
console.log(`fake ${verb} done`);
