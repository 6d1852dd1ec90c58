/**
 * What the district platform receives, printed in the demo's terminal: a real MQTT subscriber
 * on the gateway's topic root, one line per message.
 */
import mqtt from 'mqtt';

export interface PlatformView {
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

export function describeMessage(topic: string, payload: Json): string {
  const kind = topic.split('/').at(-1);
  if (kind === 'data' && Array.isArray(payload.samples)) {
    const samples = payload.samples as Json[];
    const shown = samples.slice(0, 4).map((s) => `${String(s.p)}=${JSON.stringify(s.v)}${s.q === 'good' ? '' : `(${String(s.q)})`}`);
    return `data   seq=${String(payload.seq)}${payload.hist ? ' hist' : ''} ${samples.length} sample(s): ${shown.join(' ')}${samples.length > 4 ? ' …' : ''}`;
  }
  if (kind === 'events' && Array.isArray(payload.events)) {
    const events = payload.events as Json[];
    return events
      .map((e) => `events seq=${String(payload.seq)} ${String(e.type)}/${String(e.state ?? '')} ${String(e.source ?? '')}: ${String(e.message ?? '')}`)
      .join('\n');
  }
  if (kind === 'state') return `state  online=${String(payload.online)}`;
  if (kind === 'birth') return `birth  ${Array.isArray(payload.points) ? payload.points.length : 0} point(s)`;
  if (kind === 'health') return `health pending=${String((payload.buffer as Json | undefined)?.pending)} clock=${String(payload.clock)}`;
  return `${kind} ${JSON.stringify(payload).slice(0, 120)}`;
}

export function startPlatformView(url: string, root: string, print: (line: string) => void): Promise<PlatformView> {
  const client = mqtt.connect(url, { clientId: `firebreak-demo-platform-${process.pid}`, reconnectPeriod: 1000 });
  client.on('message', (topic, buf) => {
    try {
      for (const line of describeMessage(topic, JSON.parse(buf.toString('utf8')) as Json).split('\n')) print(`[平台 platform] ${line}`);
    } catch {
      print(`[平台 platform] ${topic}: not JSON (${buf.length} bytes)`);
    }
  });
  return new Promise((resolve, reject) => {
    client.once('error', reject);
    client.once('connect', () => {
      client.subscribe(`${root}/#`, { qos: 1 }, (err) => {
        if (err) reject(err);
        else resolve({ close: () => client.endAsync() });
      });
    });
  });
}
