/** Serves `folder` with (by default) the cross-origin isolation headers; resolves to its URL and a close function. */
export function serveWeb(
  folder: string,
  options?: { port?: number; isolation?: boolean; host?: string },
): Promise<{ url: string; close: () => Promise<void> }>;
