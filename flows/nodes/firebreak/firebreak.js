/**
 * Firebreak nodes: 'firebreak samples', 'firebreak alarms', 'firebreak events'. Each reads the
 * agent's local feed (newline-delimited JSON on a unix socket, /run/firebreak/feed.sock) and
 * only reads it: the feed accepts no commands, and these nodes have no input. Nodes on the
 * same socket share one connection, which comes back by itself after the agent restarts.
 */
'use strict';
const net = require('node:net');

const DEFAULT_SOCKET = process.env.FIREBREAK_FEED || '/run/firebreak/feed.sock';
const PRIORITIES = ['low', 'medium', 'high', 'critical'];
// reconnect after 1 s, doubling to 15 s: an agent restart (RestartSec=2) is seen within seconds
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;

/** One connection per socket path, shared by every node that reads it. */
class FeedConnection {
  constructor(path) {
    this.path = path;
    this.subscribers = new Set();
    this.socket = undefined;
    this.retryMs = RETRY_MIN_MS;
    this.timer = undefined;
    this.closed = false;
    this.hello = undefined;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    let rest = '';
    const socket = net.createConnection(this.path);
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.retryMs = RETRY_MIN_MS;
      this.status({ fill: 'green', shape: 'dot', text: 'connected' });
    });
    socket.on('data', (chunk) => {
      rest += chunk;
      let nl;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (!line) continue;
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          continue; // a torn line cannot happen on a stream socket; skip anything unparseable
        }
        if (m.type === 'hello') this.hello = m;
        for (const s of this.subscribers) s.onMessage(m, this.hello);
      }
    });
    socket.on('error', (err) => this.status({ fill: 'red', shape: 'ring', text: err.code || err.message }));
    socket.on('close', () => {
      this.socket = undefined;
      if (this.closed) return;
      this.status({ fill: 'yellow', shape: 'ring', text: `reconnecting in ${Math.round(this.retryMs / 1000)} s` });
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    });
  }

  status(s) {
    this.lastStatus = s;
    for (const sub of this.subscribers) sub.node.status(s);
  }

  subscribe(sub) {
    this.subscribers.add(sub);
    if (this.lastStatus) sub.node.status(this.lastStatus);
  }

  unsubscribe(sub) {
    this.subscribers.delete(sub);
    return this.subscribers.size === 0;
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.destroy();
  }
}

module.exports = function (RED) {
  const connections = new Map();

  function attach(node, path, onMessage) {
    let conn = connections.get(path);
    if (!conn) {
      conn = new FeedConnection(path);
      connections.set(path, conn);
    }
    const sub = { node, onMessage };
    conn.subscribe(sub);
    node.on('close', (done) => {
      if (conn.unsubscribe(sub)) {
        conn.close();
        connections.delete(path);
      }
      done();
    });
  }

  /** "dc1.*, ds1.conc" → a test of point ids; empty → every point */
  function pointFilter(spec) {
    const parts = String(spec || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length === 0) return () => true;
    const res = parts.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
    return (id) => res.some((re) => re.test(id));
  }

  function FirebreakSamples(config) {
    RED.nodes.createNode(this, config);
    const wanted = pointFilter(config.points);
    const goodOnly = config.goodOnly === true;
    attach(this, config.socket || DEFAULT_SOCKET, (m, hello) => {
      if (m.type !== 'sample' || !wanted(m.p)) return;
      if (goodOnly && m.q !== 'good') return;
      const point = hello && hello.points ? hello.points.find((p) => p.id === m.p) : undefined;
      this.send({ topic: m.p, payload: m.v, quality: m.q, t: m.t, point, gateway: hello && hello.gateway });
    });
  }

  function FirebreakAlarms(config) {
    RED.nodes.createNode(this, config);
    const min = Math.max(0, PRIORITIES.indexOf(config.minPriority || 'low'));
    const mode = config.mode === 'list' ? 'list' : 'transitions';
    attach(this, config.socket || DEFAULT_SOCKET, (m, hello) => {
      if (mode === 'list') {
        if (m.type !== 'alarms') return;
        const alarms = m.alarms.filter((a) => PRIORITIES.indexOf(a.priority) >= min);
        this.send({ topic: 'alarms', payload: alarms, t: m.t, gateway: hello && hello.gateway });
        return;
      }
      if (m.type !== 'event' || m.event.type !== 'alarm') return;
      const e = m.event;
      if (PRIORITIES.indexOf(e.priority) < min) return;
      this.send({ topic: e.source, payload: e, priority: e.priority, state: e.state, t: e.t, gateway: hello && hello.gateway });
    });
  }

  function FirebreakEvents(config) {
    RED.nodes.createNode(this, config);
    const types = String(config.types || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    attach(this, config.socket || DEFAULT_SOCKET, (m, hello) => {
      if (m.type !== 'event') return;
      if (types.length > 0 && !types.includes(m.event.type)) return;
      this.send({ topic: m.event.type, payload: m.event, t: m.event.t, gateway: hello && hello.gateway });
    });
  }

  RED.nodes.registerType('firebreak samples', FirebreakSamples);
  RED.nodes.registerType('firebreak alarms', FirebreakAlarms);
  RED.nodes.registerType('firebreak events', FirebreakEvents);
};
