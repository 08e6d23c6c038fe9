/**
 * How a request that fails its schema is worded, wherever it is checked (the dispatch, the
 * engine, a hook's rewrite, a task step): "Invalid params: field: message; …".
 */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export function invalidParamsMessage(issues: readonly SchemaIssue[]): string {
  const detail = issues
    .map(
      (issue) =>
        `${issue.path.length > 0 ? issue.path.map(String).join(".") : "params"}: ${issue.message}`,
    )
    .join("; ");
  return `Invalid params: ${detail}`;
}
