// Plays a trainer whose first `train` attempt of each run crashes (exit 1, no result), in local-mode tests of the
// run's retries: each attempt is appended to attempts.log under PERSONALIZE_STORE_ROOT; later attempts and other
// verbs are the plain fake's.
const fs = require('fs');
const path = require('path');
const [verb, , specPath] = process.argv.slice(2);
const root = process.env.PERSONALIZE_STORE_ROOT;
const jobName = JSON.parse(fs.readFileSync(specPath, 'utf8')).jobName;
const attempts = path.join(root, 'attempts.log');
const earlier = fs.existsSync(attempts) ? fs.readFileSync(attempts, 'utf8').split('\n').filter((l) => l === `${verb} ${jobName}`).length : 0;
fs.mkdirSync(root, { recursive: true });
fs.appendFileSync(attempts, `${verb} ${jobName}\n`);
if (verb === 'train' && earlier === 0) {
  console.error('fake train crashed on its first attempt');
  process.exit(1);
}
require('./fake-trainer.js');
