/** Topic names of the uplink contract (docs/UPLINK.md, "Topics"). */
export interface Topics {
  root: string;
  state: string;
  birth: string;
  data: string;
  events: string;
  health: string;
  /** subscription filter for every command */
  cmdFilter: string;
  cmdResult: string;
  /** the command name of a `{root}/cmd/{name}` topic, or undefined */
  commandName(topic: string): string | undefined;
}

export function topicsFor(prefix: string, enterprise: string, gateway: string): Topics {
  const root = `${prefix.replace(/\/+$/, '')}/${enterprise}/${gateway}`;
  const cmd = `${root}/cmd/`;
  return {
    root,
    state: `${root}/state`,
    birth: `${root}/birth`,
    data: `${root}/data`,
    events: `${root}/events`,
    health: `${root}/health`,
    cmdFilter: `${root}/cmd/+`,
    cmdResult: `${root}/cmd-result`,
    commandName: (topic) => (topic.startsWith(cmd) && topic.length > cmd.length ? topic.slice(cmd.length) : undefined),
  };
}
