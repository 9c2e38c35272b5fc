// Files bundled as text (wrangler's default rule for *.txt): the docs page's Swagger UI.
declare module '*.txt' {
  const text: string;
  export default text;
}
