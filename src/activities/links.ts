/**
 * The addresses of Årshjul's pages that mails link to. The paths are Swedish, as users read
 * them; the web server serves the same paths.
 */
export function boardPageUrl(publicUrl: string, boardId: string): string {
  return new URL(`/namnd/${encodeURIComponent(boardId)}`, publicUrl).toString();
}
