// Waits for one data message on the demo's embedded broker, as the platform would receive it,
// from outside the root under test. Prints its topic and seq; exits 1 on timeout.
//   node scripts/package-wait-data.mjs mqtt://127.0.0.1:1883 TOPIC-ROOT SECONDS
import mqtt from 'mqtt';

const [url, root, seconds] = process.argv.slice(2);
const client = mqtt.connect(url, { clientId: `firebreak-package-test-${process.pid}`, reconnectPeriod: 500 });
const timer = setTimeout(() => {
  console.error(`no data message under ${root}/ within ${seconds} s`);
  process.exit(1);
}, Number(seconds) * 1000);
client.on('connect', () => client.subscribe(`${root}/#`, { qos: 1 }));
client.on('message', (topic, payload) => {
  if (!topic.endsWith('/data')) return;
  const message = JSON.parse(payload.toString('utf8'));
  if (!Array.isArray(message.samples) || message.samples.length === 0) return;
  console.log(`${topic} seq=${message.seq} samples=${message.samples.length}`);
  clearTimeout(timer);
  client.end(false, () => process.exit(0));
});
