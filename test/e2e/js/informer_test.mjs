// An informer of @kubernetes/client-node 1.x against kubepp: it must see
// create/update/delete in order, across a watch that the server ends
// (timeout) and a resume that the server refuses with 410 Expired.
// Run by test/e2e/js_client_test.cc with KUBECONFIG set and a server started
// with --min-request-timeout=1 and a small --watch-cache-size.
import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const ns = 'default';

const seen = [];
const errors = [];
let lists = 0;
const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => {
  lists++;
  return core.listNamespacedConfigMap({ namespace: ns });
});
informer.on('add', (o) => seen.push(`add ${o.metadata.name} ${o.data?.v}`));
informer.on('update', (o) => seen.push(`update ${o.metadata.name} ${o.data?.v}`));
informer.on('delete', (o) => seen.push(`delete ${o.metadata.name}`));
informer.on('error', (e) => {
  errors.push(String(e?.message ?? e));
  setTimeout(() => informer.start(), 200);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(line, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!seen.includes(line)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${line}"; seen: ${JSON.stringify(seen)}; errors: ${JSON.stringify(errors)}`);
    await sleep(20);
  }
}
const cm = (name, v) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
const put = (name, v) => core.replaceNamespacedConfigMap({ name, namespace: ns, body: cm(name, v) });

await informer.start();
await core.createNamespacedConfigMap({ namespace: ns, body: cm('a', '1') });
await waitFor('add a 1');
await put('a', '2');
await waitFor('update a 2');

// The server ends every watch within 1-2 s: the informer re-watches from
// its last resourceVersion and misses nothing.
await sleep(2500);
await put('a', '3');
await waitFor('update a 3');

// Push the informer's resourceVersion out of the server's watch history
// (writes elsewhere), then let its watch end: the resume gets 410 and the
// informer lists again.
const listsBefore = lists;
for (let i = 0; i < 40; i++) {
  await core.createNamespacedConfigMap({ namespace: 'kube-public', body: cm(`filler-${i}`, String(i)) });
}
await sleep(2500);
await put('a', '4');
await waitFor('update a 4');
await core.deleteNamespacedConfigMap({ name: 'a', namespace: ns });
await waitFor('delete a');
informer.stop();

const mine = seen.filter((l) => / a( |$)/.test(l));
const expected = ['add a 1', 'update a 2', 'update a 3', 'update a 4', 'delete a'];
// A re-list may re-announce the current state (an update with the same
// data); collapse such repeats, then the order must be exactly this.
const collapsed = mine.filter((l, i) => i === 0 || l !== mine[i - 1]);
if (JSON.stringify(collapsed) !== JSON.stringify(expected)) {
  console.error(`events out of order: ${JSON.stringify(mine)}`);
  process.exit(1);
}
if (lists <= listsBefore) {
  console.error(`no re-list after the 410 (lists: ${lists})`);
  process.exit(1);
}
console.log(`ok: ${JSON.stringify(mine)}; lists=${lists}; errors=${JSON.stringify(errors)}`);
process.exit(0);
