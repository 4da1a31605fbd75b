// Plays a trainer that never finishes its training, in local-mode tests of the run's deadline: other verbs are the
// plain fake's; `train` starts a child of its own (as a trainer's worker would), writes both process ids and the
// CUDA_VISIBLE_DEVICES it was given to stuck.json under PERSONALIZE_STORE_ROOT, then waits forever.
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
if (process.argv[2] !== 'train') {
  require('./fake-trainer.js');
} else {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const root = process.env.PERSONALIZE_STORE_ROOT;
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'stuck.json'), JSON.stringify({ pids: [process.pid, child.pid], cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null }));
  setInterval(() => {}, 1000);
}
