// A Node as the API server returns it, reduced to the fields the agent looks at; adapters map
// the client library's V1Node to this so the core never sees SDK types.

export interface ObservedNode {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> | undefined; readonly labels?: Readonly<Record<string, string>> | undefined } | undefined;
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string | undefined; readonly message?: string | undefined }[] | undefined } | undefined;
}
