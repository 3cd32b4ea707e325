/** What a command can tell the CLI's entry point while it runs. */
export interface CommandContext {
  /** A line to print when Ctrl-C stops the command: what was kept, and how to finish. */
  onInterrupt(note: () => string): void;
}
