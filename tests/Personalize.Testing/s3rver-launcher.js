// Starts s3rver on a kernel-chosen port of a local address (loopback by default) and prints it, so the fixture never races for a
// port. Optional credentials are registered beside s3rver's built-in S3RVER/S3RVER pair.
'use strict';
const [pkg, directory, accessKey, secretKey, address = '127.0.0.1'] = process.argv.slice(2);
const S3rver = require(pkg);
const { DUMMY_ACCOUNT } = require(pkg + '/lib/models/account');
if (accessKey && accessKey !== 'S3RVER') DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
new S3rver({ directory, address, port: 0, silent: true })
  .run()
  .then(address => console.log(`S3RVER_LISTENING ${address.port}`))
  .catch(error => { console.error(error); process.exit(1); });
