// npm scripts run with node_modules/.bin first on PATH, so `node` here is the
// project's own Node (npm package `node`), whatever the machine has installed.
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`Node ${process.versions.node} is too old: this project needs Node >= 22.18 (run npm ci to install the bundled Node 22).`);
  process.exit(1);
}
