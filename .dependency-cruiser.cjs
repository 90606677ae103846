/** Import rules of design.md: no cycles; capabilities meet only through index.ts; nothing imports http or cli. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-import-of-http-or-cli', severity: 'error', from: { pathNot: '^src/(http|cli)/' }, to: { path: '^src/(http|cli)/' } },
    {
      name: 'capabilities-through-index', severity: 'error',
      from: { path: '^src/(vault|access|audit|consent|detect|deidentify|tenants|rights|retention|backup|jobs|assessments|risks|sharing|transfers|complaints|incidents|compliance|portal)/' },
      to: { path: '^src/(vault|access|audit|consent|detect|deidentify|tenants|rights|retention|backup|jobs|assessments|risks|sharing|transfers|complaints|incidents|compliance|portal)/(?!index\\.ts$)[^/]+', pathNot: ['^src/$1/'] },
    },
  ],
  options: { doNotFollow: { path: 'node_modules' }, tsPreCompilationDeps: true, tsConfig: { fileName: 'tsconfig.json' } },
};
