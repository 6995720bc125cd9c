// A minimal kubeconfig (one cluster, one token user, one context, all named `context`) as YAML
// text, for the tests of both kubeconfig loaders: the bot's (client-node) and the agent's own.
export function kubeconfigText(server: string, context = 'test'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${context}`,
    'clusters:',
    `- name: ${context}`,
    '  cluster:',
    `    server: ${server}`,
    'users:',
    `- name: ${context}`,
    '  user:',
    `    token: token-of-${context}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}`,
    `    user: ${context}`,
    '',
  ].join('\n');
}
