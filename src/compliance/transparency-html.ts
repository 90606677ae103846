/** The public transparency page as plain, accessible HTML (zh-CN first, English beside it); every value escaped. */
const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const KIND_TEXT: Record<string, [string, string]> = {
  access: ['查阅', 'access'], copy: ['复制', 'copy'], portability: ['转移', 'portability'], correction: ['更正', 'correction'], supplement: ['补充', 'supplement'],
  deletion: ['删除', 'deletion'], restriction: ['限制处理', 'restriction'], explanation: ['解释说明', 'explanation'], withdrawal: ['撤回同意', 'withdrawal of consent'],
  account_cancellation: ['注销账号', 'account cancellation'], deceased_relative: ['近亲属行使死者权利', "next of kin for a deceased person"],
};

export function renderTransparencyHtml(p: Record<string, any>): string {
  const purposes = (p.purposes ?? []) as any[];
  const data = (p.data ?? []) as any[];
  const rows = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.tenant?.name)} · 个人信息处理透明度说明 / Transparency</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}th{background:#f5f5f5}.en{color:#555}small{color:#777}</style></head>
<body>
<h1>${esc(p.tenant?.name)} 个人信息处理透明度说明 <span class="en">/ Transparency statement</span></h1>
<p><small>发布于 Published ${esc(p.published_at)}</small></p>
${p.intro_zh ? `<p>${esc(p.intro_zh)}</p>` : ''}${p.intro_en ? `<p class="en">${esc(p.intro_en)}</p>` : ''}
<h2>个人信息处理者与个人信息保护负责人 <span class="en">/ Handler and PI protection officer</span></h2>
<table><tbody>
${rows(['处理者 Handler', `${p.handler?.name ?? ''} · ${p.handler?.contact ?? ''}${p.handler?.address ? ` · ${p.handler.address}` : ''}`])}
${rows(['个人信息保护负责人 PI protection officer', `${p.officer?.name ?? ''} · ${p.officer?.contact ?? ''}${p.officer?.email ? ` · ${p.officer.email}` : ''}${p.officer?.phone ? ` · ${p.officer.phone}` : ''}`])}
</tbody></table>
<h2>处理目的与合法性基础 <span class="en">/ Why we process personal information</span></h2>
<table><thead><tr><th>目的 Purpose</th><th>合法性基础 Legal basis (PIPL Art. 13)</th><th>说明 Description</th></tr></thead><tbody>
${purposes.map((x) => rows([`${x.title}${x.title_en ? ` / ${x.title_en}` : ''}`, `${x.legal_basis_zh} / ${x.legal_basis_en}`, x.description ?? ''])).join('\n')}
</tbody></table>
<h2>收集的个人信息与保存期限 <span class="en">/ What we collect and how long we keep it</span></h2>
<table><thead><tr><th>类别 Collection</th><th>信息 Data</th><th>保存期限 Retention</th></tr></thead><tbody>
${data.map((d) => rows([d.title ?? d.collection, d.fields.map((f: any) => `${f.label_zh}${f.sensitive ? '（敏感个人信息 sensitive）' : ''}`).join('、'), d.retention.length ? d.retention.map((r: any) => `${r.anchor_zh} ${r.days} 天 / ${r.days} days ${r.anchor_en}`).join('；') : '处理目的实现后删除 / erased once the purpose is achieved'])).join('\n')}
</tbody></table>
${p.recipients ? `<h2>向其他个人信息处理者提供 <span class="en">/ Recipients</span></h2><ul>${(p.recipients as any[]).map((r) => `<li>${esc(r.name)}</li>`).join('')}</ul>` : ''}
<h2>如何行使您的权利 <span class="en">/ How to exercise your rights (PIPL Art. 44-50)</span></h2>
<p>您可以请求：${(p.rights?.kinds ?? []).map((k: string) => esc(KIND_TEXT[k]?.[0] ?? k)).join('、')}。我们在 ${esc(p.rights?.deadline_working_days)} 个工作日内答复；拒绝时说明理由。</p>
<p class="en">You may ask for: ${(p.rights?.kinds ?? []).map((k: string) => esc(KIND_TEXT[k]?.[1] ?? k)).join(', ')}. We answer within ${esc(p.rights?.deadline_working_days)} working days and give reasons for any refusal.</p>
${p.rights?.channel ? `<p>提交渠道 Where to ask: ${esc(p.rights.channel)}</p>` : ''}
<h2>隐私政策版本 <span class="en">/ Privacy notice versions</span></h2>
<ul>${((p.notices ?? []) as any[]).map((n) => `<li>${esc(n.name)} v${esc(n.version)} (${esc(n.language)}) · SHA-256 ${esc(n.sha256)}</li>`).join('')}</ul>
</body></html>`;
}
