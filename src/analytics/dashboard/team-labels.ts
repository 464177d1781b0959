/**
 * Teams are keyed per connector ('<connector>:<group>'), so two connectors can each have a
 * "Service Desk". Where a label belongs to more than one connector, it is shown with the
 * connector's name: "Service Desk · ServiceNow", "Service Desk · Jira". Pure.
 */
export function teamLabeller(teams: ReadonlyArray<{ key: string; label: string }>, connectorNames: ReadonlyMap<string, string>): (key: string, label: string) => string {
  const connectorsByLabel = new Map<string, Set<string>>();
  for (const t of teams) {
    const connector = connectorOf(t.key);
    if (!connector) continue;
    const set = connectorsByLabel.get(t.label) ?? new Set<string>();
    set.add(connector);
    connectorsByLabel.set(t.label, set);
  }
  return (key, label) => {
    const connector = connectorOf(key);
    if (!connector || (connectorsByLabel.get(label)?.size ?? 0) < 2) return label;
    return `${label} · ${connectorNames.get(connector) ?? connector}`;
  };
}

const connectorOf = (key: string) => {
  const i = key.indexOf(':');
  return i > 0 ? key.slice(0, i) : null;
};
