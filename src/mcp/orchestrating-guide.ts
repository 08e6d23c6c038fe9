/** docs/orchestrating.md, as the `orchestrate` prompt serves it (kept equal by a test). */
export const ORCHESTRATING_GUIDE = `# Orchestrating with cc-executor
`;
