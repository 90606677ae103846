/** Privacy notices: versions with their required sections (PIPL Art. 17 etc.), full text, the diff between versions, and publishing. */
import { useState } from 'react';
import { App, Alert, Button, Card, Collapse, Descriptions, Divider, Form, Input, InputNumber, Modal, Radio, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { DiffOutlined, EyeOutlined, MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, post, call, type Collection, type Notice, type Purpose, type PurposeScope } from '../../api';
import { useLang } from '../../i18n';
import { CATEGORIES, CATEGORY_LABELS, RECIPIENT_KINDS, RECIPIENT_KIND_LABELS, type L } from '../../labels';
import { useAuth } from '../auth';
import { fmtTime, useErrorText, useLoad } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

interface NoticeVersion extends Notice { text: string; sections: Record<string, any> | null }
type NoticeRow = Notice & { latest_version: number };
interface Diff {
  from: { version: number; language: string; sha256: string }; to: { version: number; language: string; sha256: string };
  same_text: boolean; text: Array<{ op: 'equal' | 'insert' | 'delete'; value: string }>; chars_inserted: number; chars_deleted: number;
  purposes: Array<{ purpose: string; material: string[]; other: string[] }>; material: boolean;
}

const SECTION_LABELS: Record<string, L> = {
  handler_name: { zh: '处理者名称', en: 'Handler name' }, handler_contact: { zh: '处理者联系方式', en: 'Handler contact' }, purposes: { zh: '处理目的', en: 'Purposes' },
  rights: { zh: '行使权利的方式和程序', en: 'How to exercise rights' }, retention_end: { zh: '到期后的处理方式', en: 'At retention end' },
  sensitive_necessity: { zh: '敏感信息的必要性', en: 'Necessity (sensitive PI)' }, sensitive_impact: { zh: '对个人权益的影响', en: 'Impact (sensitive PI)' }, cross_border: { zh: '出境说明', en: 'Export section' },
};
const ASPECTS: Record<string, L> = {
  manner: { zh: '处理方式', en: 'manner' }, pi_types: { zh: '个人信息种类', en: 'PI types' }, sensitive: { zh: '敏感个人信息', en: 'sensitive PI' }, recipients: { zh: '接收方', en: 'recipients' },
  cross_border: { zh: '出境', en: 'export' }, retention: { zh: '保存期限', en: 'retention' }, added: { zh: '新增目的', en: 'purpose added' }, removed: { zh: '删除目的', en: 'purpose removed' },
};
const sectionLabel = (s: string, lang: 'zh' | 'en') => { const [k, rest] = s.split(':'); return (SECTION_LABELS[k]?.[lang] ?? k) + (rest !== undefined ? ` (${rest})` : ''); };

/** The form's values -> the `sections` body (blank entries dropped). */
function toSections(v: Record<string, any>) {
  const clean = (o: Record<string, any> | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, x]) => x !== undefined && x !== null && x !== '' && !(Array.isArray(x) && x.length === 0)));
  const s: Record<string, unknown> = {};
  const handler = clean(v.handler);
  if (Object.keys(handler).length) s.handler = handler;
  const purposes = (v.sp ?? []).map(clean).filter((p: Record<string, unknown>) => p.purpose);
  if (purposes.length) s.purposes = purposes;
  if (v.rights) s.rights = v.rights;
  if (v.retention_end) s.retention_end = v.retention_end;
  const sensitive = clean(v.sensitive);
  if (Object.keys(sensitive).length) s.sensitive = sensitive;
  const recipients = (v.recipients ?? []).map(clean).filter((r: Record<string, unknown>) => r.kind);
  if (recipients.length) s.recipients = recipients;
  const cb = (v.cross_border ?? []).map(clean).filter((c: Record<string, unknown>) => Object.keys(c).length);
  if (cb.length) s.cross_border = cb;
  return s;
}

function ScopeView({ scope }: { scope?: Record<string, PurposeScope> }) {
  const { tr, lang } = useLang();
  if (!scope || !Object.keys(scope).length) return <Typography.Text type="secondary">—</Typography.Text>;
  return <Descriptions size="small" column={1} bordered items={Object.entries(scope).map(([p, s]) => ({
    key: p, label: p, children: <Space direction="vertical" size={2}>
      <span>{tr('方式', 'Manner')}: {s.manner ?? '—'}</span>
      <span>{tr('种类', 'PI types')}: {s.categories.map((c) => CATEGORY_LABELS[c as keyof typeof CATEGORY_LABELS]?.[lang] ?? c).join('、') || '—'} {s.fields.length > 0 && <Typography.Text type="secondary">({s.fields.join(', ')})</Typography.Text>} {s.sensitive && <Tag color="red">{tr('敏感', 'sensitive')}</Tag>}</span>
      <span>{tr('保存期限', 'Retention')}: {s.retention ?? '—'}</span>
      {s.recipients.length > 0 && <span>{tr('接收方', 'Recipients')}: {s.recipients.map((r) => `${r.name || tr('公众', 'public')} (${RECIPIENT_KIND_LABELS[r.kind as keyof typeof RECIPIENT_KIND_LABELS]?.[lang] ?? r.kind}${r.country ? `, ${r.country}` : ''})`).join('；')}</span>}
      {s.cross_border.length > 0 && <span>{tr('出境', 'Export')}: {s.cross_border.map((c) => `${c.recipient} (${c.country ?? '?'})`).join('；')}</span>}
    </Space>,
  }))} />;
}

export default function Notices() {
  const { tr, lang } = useLang();
  const { can } = useAuth();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<NoticeRow>('/notices', 'notices', { sort: 'created_at', order: 'desc' });
  const reload = list.reload;
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const collections = useLoad((signal) => get<{ collections: Collection[] }>('/collections', { signal }));
  const settings = useLoad((signal) => (can('consents.manage') ? get<{ require_notice_sections: boolean }>('/consent-settings', { signal }) : Promise.resolve(undefined)));
  const [open, setOpen] = useState(false);
  const [structured, setStructured] = useState(true);
  const [busy, setBusy] = useState(false);
  const [viewing, setViewing] = useState<NoticeVersion | null>(null);
  const [diffName, setDiffName] = useState<string | null>(null);
  const [diffLatest, setDiffLatest] = useState(1);
  const [range, setRange] = useState<{ from?: number; to?: number }>({});
  const [diff, setDiff] = useState<Diff | null>(null);
  const [form] = Form.useForm();
  const versionOptions = Array.from({ length: diffLatest }, (_, i) => ({ value: i + 1, label: `v${i + 1}` }));
  const fieldOptions = (collections.data?.collections ?? []).flatMap((c) => c.fields.map((f) => ({ value: `${c.name}.${f.name}`, label: `${c.name}.${f.name}${f.sensitive ? tr('（敏感）', ' (sensitive)') : ''}` })));

  const publish = async (v: Record<string, any>) => {
    setBusy(true);
    try {
      const body = { name: v.name, language: v.language, text: v.text, purposes: v.purposes ?? [], ...(v.material_change ? { material_change: true } : {}), ...(structured ? { sections: toSections(v) } : {}) };
      const r = await post<{ name: string; version: number; needs_reconsent: number; complete: boolean; changed_purposes: string[] }>('/notices', body);
      message.success(tr(`已发布 ${r.name} 第 ${r.version} 版`, `Published ${r.name} version ${r.version}`) + (r.needs_reconsent ? tr(`；${r.needs_reconsent} 条同意需重新取得`, `; ${r.needs_reconsent} consents need re-consent`) : ''));
      if (!r.complete) message.warning(tr('该版本缺少必备内容，仅以纯文本形式保存。', 'This version lacks required sections (kept as text only).'));
      setOpen(false); form.resetFields(); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const newVersion = async (name?: string, latest?: number) => {
    form.resetFields();
    setStructured(true);
    if (name) {
      try {
        const v = await get<NoticeVersion>(`/notices/${name}/versions/${latest}`);
        const s = v.sections ?? {};
        form.setFieldsValue({ name, language: v.language, text: v.text, purposes: v.purposes, handler: s.handler, sp: s.purposes, rights: s.rights, retention_end: s.retention_end, sensitive: s.sensitive, recipients: s.recipients, cross_border: s.cross_border });
        setStructured(Boolean(v.sections));
      } catch (e) { message.error(errText(e)); }
    }
    setOpen(true);
  };
  const view = async (n: Notice) => { try { setViewing(await get<NoticeVersion>(`/notices/${n.name}/versions/${n.version}`)); } catch (e) { message.error(errText(e)); } };
  const openDiff = (n: NoticeRow) => { setDiffName(n.name); setDiffLatest(n.latest_version); const from = n.compared_with ?? Math.max(1, n.version - 1); setRange({ from, to: n.version }); void loadDiff(n.name, from, n.version); };
  const loadDiff = async (name: string, from?: number, to?: number) => {
    if (!from || !to) return;
    try { setDiff(await call<Diff>('GET', `/notices/${name}/diff?from=${from}&to=${to}`)); } catch (e) { setDiff(null); message.error(errText(e)); }
  };
  const toggleRequire = async (v: boolean) => {
    try { await call('PUT', '/consent-settings', { require_notice_sections: v }); settings.reload(); message.success(v ? tr('已要求必备内容', 'Sections now required') : tr('已允许纯文本告知', 'Text-only notices allowed')); } catch (e) { message.error(errText(e)); }
  };
  const selected: string[] = Form.useWatch('purposes', form) ?? [];

  return (
    <Card title={tr('告知文本（版本化）', 'Notices (versioned)')} extra={<Space>
      {settings.data && <Tooltip title={tr('开启后，缺少 PIPL 第17条等必备内容的告知文本不能发布', 'When on, a notice lacking the sections PIPL Art. 17 etc. require cannot be published')}>
        <Space size={4}><Switch size="small" checked={settings.data.require_notice_sections} onChange={(v) => void toggleRequire(v)} aria-label={tr('要求必备内容', 'Require sections')} /><span>{tr('要求必备内容', 'Require sections')}</span></Space>
      </Tooltip>}
      <Space size={4}><Switch size="small" checked={list.params.filters.latest === 'true'} onChange={(v) => list.setFilter('latest', v ? 'true' : undefined)} aria-label={tr('只看当前版本', 'Current versions only')} /><span>{tr('只看当前版本', 'Current versions only')}</span></Space>
      <ListSearch list={list} placeholder={tr('名称', 'Name')} label={tr('按名称搜索', 'Search by name')} width={160} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      {can('consents.manage') && <Button type="primary" icon={<PlusOutlined />} onClick={() => void newVersion()}>{tr('发布新版本', 'Publish a version')}</Button>}
    </Space>}>
      <Typography.Paragraph type="secondary">{tr('告知文本的每一版都会保留并计算 SHA-256；同意记录指向具体版本。某一目的的处理方式、个人信息种类、接收方或出境发生变化时，此前版本下的同意须重新取得（PIPL 第14条、第17条）。',
        'Every version is kept with its SHA-256; consents point to a version. When a purpose\'s manner, PI types, recipients or export change, consents under earlier versions must be given again (PIPL Art. 14 and 17).')}</Typography.Paragraph>
      <ServerTable<NoticeRow> list={list} rowKey={(n) => `${n.name}@${n.version}`}
          empty={tr('还没有告知文本', 'No notices yet')} emptyHint={tr('发布隐私政策或单独告知文本后，才能记录同意。', 'Publish a privacy notice before recording consents.')}
          columns={[
            { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string) => <Typography.Text code>{n}</Typography.Text>, ...list.sortCol('name') },
            { title: tr('版本', 'Version'), dataIndex: 'version', render: (v: number, n) => <>v{v} {n.latest_version === v && <Tag color="green">{tr('当前', 'current')}</Tag>}</>, ...list.sortCol('version') },
            { title: tr('语言', 'Language'), dataIndex: 'language', ...list.sortCol('language'),
              ...list.filterCol('language', [{ text: '中文 (zh-CN)', value: 'zh-CN' }, { text: 'English (en)', value: 'en' }]) },
            { title: tr('涉及目的', 'Purposes'), dataIndex: 'purposes', render: (p: string[], n) => p.map((x) => <Tag key={x} color={n.changed_purposes?.includes(x) ? 'orange' : undefined}>{x}</Tag>) },
            { title: tr('必备内容', 'Sections'), dataIndex: 'complete', render: (c: boolean | undefined, n) => (c ? <Tag color="green">{tr('完整', 'complete')}</Tag>
              : <Tooltip title={(n.missing_sections ?? []).map((s) => sectionLabel(s, lang)).join('；')}><Tag color="red">{tr(`缺 ${n.missing_sections?.length ?? 0} 项`, `${n.missing_sections?.length ?? 0} missing`)}</Tag></Tooltip>) },
            { title: tr('重大变更', 'Material change'), dataIndex: 'material_change', ...list.filterCol('material_change', [{ text: tr('是', 'yes'), value: 'true' }, { text: tr('否', 'no'), value: 'false' }], { multiple: false }), render: (m: boolean, n) => (m ? <Tooltip title={tr(`需重新同意的目的：${(n.changed_purposes ?? []).join('、')}`, `Re-consent for: ${(n.changed_purposes ?? []).join(', ')}`)}><Tag color="orange">{tr('是', 'yes')}</Tag></Tooltip> : '—') },
            { title: 'SHA-256', dataIndex: 'sha256', render: (s: string) => <Typography.Text code title={s}>{s.slice(0, 12)}…</Typography.Text> },
            { title: tr('发布时间', 'Published'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('created_at') },
            { title: tr('操作', 'Action'), key: 'a', render: (_: unknown, n: NoticeRow) => <Space size={4}>
              <Button size="small" icon={<EyeOutlined />} onClick={() => void view(n)}>{tr('查看', 'View')}</Button>
              {n.version > 1 && <Button size="small" icon={<DiffOutlined />} onClick={() => openDiff(n)}>{tr('差异', 'Diff')}</Button>}
              {can('consents.manage') && n.latest_version === n.version && <Button size="small" onClick={() => void newVersion(n.name, n.latest_version)}>{tr('新版本', 'New version')}</Button>}
            </Space> },
          ]} />

      <Modal title={viewing ? `${viewing.name} v${viewing.version} (${viewing.language})` : ''} open={Boolean(viewing)} onCancel={() => setViewing(null)} footer={null} width={820}>
        {viewing && <>
          {!viewing.complete && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={tr('缺少必备内容：', 'Missing sections: ') + (viewing.missing_sections ?? []).map((s) => sectionLabel(s, lang)).join('；')} />}
          <Typography.Paragraph><Typography.Text type="secondary">SHA-256 </Typography.Text><Typography.Text code copyable>{viewing.sha256}</Typography.Text></Typography.Paragraph>
          <div className="notice-text" style={{ whiteSpace: 'pre-wrap', maxHeight: 320, overflow: 'auto', border: '1px solid #f0f0f0', padding: 12, borderRadius: 6 }}>{viewing.text}</div>
          <Divider orientation="left" plain>{tr('各目的声明的范围', 'What each purpose declares')}</Divider>
          <ScopeView scope={viewing.declares} />
        </>}
      </Modal>

      <Modal title={tr(`告知文本差异：${diffName ?? ''}`, `Notice diff: ${diffName ?? ''}`)} open={Boolean(diffName)} onCancel={() => { setDiffName(null); setDiff(null); }} footer={null} width={900} destroyOnClose>
        {diffName && <Space style={{ marginBottom: 12 }}>
          <span>{tr('从', 'From')}</span>
          <Select aria-label={tr('起始版本', 'From version')} style={{ width: 100 }} value={range.from} options={versionOptions} onChange={(from) => { setRange({ ...range, from }); void loadDiff(diffName, from, range.to); }} />
          <span>{tr('到', 'to')}</span>
          <Select aria-label={tr('目标版本', 'To version')} style={{ width: 100 }} value={range.to} options={versionOptions} onChange={(to) => { setRange({ ...range, to }); void loadDiff(diffName, range.from, to); }} />
        </Space>}
        {diff && <>
          <Space style={{ marginBottom: 8 }}>
            {diff.material ? <Tag color="orange">{tr('重大变更：须重新取得同意', 'Material: consent must be given again')}</Tag> : <Tag color="green">{tr('无重大变更', 'No material change')}</Tag>}
            <Typography.Text type="secondary">{diff.same_text ? tr('正文相同', 'Same text') : tr(`新增 ${diff.chars_inserted} 字，删除 ${diff.chars_deleted} 字`, `${diff.chars_inserted} chars added, ${diff.chars_deleted} removed`)}</Typography.Text>
          </Space>
          {diff.purposes.length > 0 && <Table size="small" rowKey="purpose" pagination={false} dataSource={diff.purposes} style={{ marginBottom: 12 }} columns={[
            { title: tr('目的', 'Purpose'), dataIndex: 'purpose' },
            { title: tr('重大变化', 'Material'), dataIndex: 'material', render: (m: string[]) => m.map((x) => <Tag key={x} color="orange">{ASPECTS[x]?.[lang] ?? x}</Tag>) },
            { title: tr('其他变化', 'Other'), dataIndex: 'other', render: (m: string[]) => m.map((x) => <Tag key={x}>{ASPECTS[x]?.[lang] ?? x}</Tag>) },
          ]} />}
          <div data-testid="notice-diff" style={{ whiteSpace: 'pre-wrap', maxHeight: 420, overflow: 'auto', border: '1px solid #f0f0f0', padding: 12, borderRadius: 6, lineHeight: 1.8 }}>
            {diff.text.map((p, i) => (p.op === 'equal' ? <span key={i}>{p.value}</span>
              : p.op === 'insert' ? <ins key={i} style={{ background: '#e6ffec', textDecoration: 'none' }}>{p.value}</ins>
                : <del key={i} style={{ background: '#ffebe9' }}>{p.value}</del>))}
          </div>
        </>}
      </Modal>

      <Modal title={tr('发布告知文本新版本', 'Publish a notice version')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('发布', 'Publish')} width={860} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={publish} name="new-notice" initialValues={{ language: 'zh-CN' }}>
          <Space align="start">
            <Form.Item name="name" label={tr('名称', 'Name')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9_-]{0,62}$/, message: tr('小写字母、数字、- 和 _', 'lower-case letters, digits, - and _') }]}><Input placeholder="privacy" style={{ width: 220 }} /></Form.Item>
            <Form.Item name="language" label={tr('语言', 'Language')}><Radio.Group options={[{ value: 'zh-CN', label: '简体中文' }, { value: 'en', label: 'English' }]} optionType="button" /></Form.Item>
          </Space>
          <Form.Item name="purposes" label={tr('涉及的处理目的', 'Purposes covered')}>
            <Select mode="multiple" loading={purposes.loading} options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))} />
          </Form.Item>
          <Form.Item name="text" label={tr('正文', 'Text')} rules={[{ required: true }]}><Input.TextArea rows={8} /></Form.Item>
          <Space style={{ marginBottom: 8 }}><Switch checked={structured} onChange={setStructured} aria-label={tr('填写必备内容', 'Fill in required sections')} /><span>{tr('填写必备内容（PIPL 第17条；推荐）', 'Fill in the required sections (PIPL Art. 17; recommended)')}</span></Space>
          {structured && <Collapse defaultActiveKey={['base', 'purposes']} items={[
            { key: 'base', label: tr('处理者与权利', 'Handler and rights'), children: <>
              <Space align="start" wrap>
                <Form.Item name={['handler', 'name']} label={tr('处理者名称', 'Handler name')} style={{ width: 300 }}><Input /></Form.Item>
                <Form.Item name={['handler', 'contact']} label={tr('联系方式（个人信息保护负责人等）', 'Contact (PI protection officer etc.)')} style={{ width: 420 }}><Input /></Form.Item>
              </Space>
              <Form.Item name="rights" label={tr('行使查阅、复制、更正、删除、撤回同意、注销账号等权利的方式和程序', 'How to access, copy, correct, delete, withdraw consent, close the account')}><Input.TextArea rows={2} /></Form.Item>
              <Form.Item name="retention_end" label={tr('保存期限届满后的处理方式', 'What happens when retention ends')}><Input /></Form.Item>
            </> },
            { key: 'purposes', label: tr('各目的的处理方式、种类与保存期限', 'Manner, PI types and retention per purpose'), children: <Form.List name="sp">{(fields, { add, remove }) => <>
              {fields.map((f) => (
                <Card key={f.key} size="small" style={{ marginBottom: 8 }} extra={<MinusCircleOutlined onClick={() => remove(f.name)} aria-label={tr('移除', 'Remove')} />} title={<Form.Item name={[f.name, 'purpose']} noStyle rules={[{ required: true }]}><Select size="small" style={{ width: 240 }} placeholder={tr('目的', 'Purpose')} options={selected.map((p) => ({ value: p, label: p }))} /></Form.Item>}>
                  <Form.Item name={[f.name, 'manner']} label={tr('处理方式', 'Manner')}><Input /></Form.Item>
                  <Space align="start" wrap>
                    <Form.Item name={[f.name, 'pi_categories']} label={tr('个人信息种类', 'PI categories')} style={{ minWidth: 300 }}><Select mode="multiple" options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c][lang] }))} /></Form.Item>
                    <Form.Item name={[f.name, 'fields']} label={tr('涉及字段', 'Fields')} style={{ minWidth: 340 }}><Select mode="multiple" options={fieldOptions} /></Form.Item>
                  </Space>
                  <Space align="start" wrap>
                    <Form.Item name={[f.name, 'retention']} label={tr('保存期限', 'Retention')} style={{ width: 320 }}><Input /></Form.Item>
                    <Form.Item name={[f.name, 'retention_days']} label={tr('天数', 'Days')}><InputNumber min={0} max={36500} /></Form.Item>
                    <Form.Item name={[f.name, 'sensitive']} label={tr('含敏感个人信息', 'Sensitive PI')} valuePropName="checked"><Switch /></Form.Item>
                  </Space>
                </Card>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ purpose: selected.find((p) => !(form.getFieldValue('sp') ?? []).some((x: { purpose?: string }) => x?.purpose === p)) })}>{tr('添加目的说明', 'Add a purpose section')}</Button>
            </>}</Form.List> },
            { key: 'sensitive', label: tr('敏感个人信息（第30条）', 'Sensitive PI (Art. 30)'), children: <>
              <Form.Item name={['sensitive', 'necessity']} label={tr('处理的必要性', 'Necessity')}><Input.TextArea rows={2} /></Form.Item>
              <Form.Item name={['sensitive', 'impact']} label={tr('对个人权益的影响', 'Impact on the individual')}><Input.TextArea rows={2} /></Form.Item>
            </> },
            { key: 'recipients', label: tr('接收方（第23、25条）', 'Recipients (Art. 23, 25)'), children: <Form.List name="recipients">{(fields, { add, remove }) => <>
              {fields.map((f) => (
                <Space key={f.key} align="start" wrap>
                  <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]} style={{ width: 200 }}><Select options={RECIPIENT_KINDS.map((k) => ({ value: k, label: RECIPIENT_KIND_LABELS[k][lang] }))} /></Form.Item>
                  <Form.Item name={[f.name, 'name']} style={{ width: 160 }}><Input placeholder={tr('名称', 'Name')} /></Form.Item>
                  <Form.Item name={[f.name, 'contact']} style={{ width: 160 }}><Input placeholder={tr('联系方式', 'Contact')} /></Form.Item>
                  <Form.Item name={[f.name, 'manner']} style={{ width: 160 }}><Input placeholder={tr('处理方式', 'Manner')} /></Form.Item>
                  <Form.Item name={[f.name, 'pi_categories']} style={{ width: 200 }}><Select mode="multiple" placeholder={tr('种类', 'PI types')} options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c][lang] }))} /></Form.Item>
                  <Form.Item name={[f.name, 'purposes']} style={{ width: 180 }}><Select mode="multiple" placeholder={tr('目的（默认全部）', 'Purposes (all)')} options={selected.map((p) => ({ value: p, label: p }))} /></Form.Item>
                  <Form.Item name={[f.name, 'country']} style={{ width: 70 }} rules={[{ pattern: /^[A-Z]{2}$/, message: 'CN…' }]}><Input placeholder="CN" /></Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} style={{ marginTop: 8 }} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'handler' })}>{tr('添加接收方', 'Add a recipient')}</Button>
            </>}</Form.List> },
            { key: 'cb', label: tr('向境外提供（第39条）', 'Export abroad (Art. 39)'), children: <Form.List name="cross_border">{(fields, { add, remove }) => <>
              {fields.map((f) => (
                <Space key={f.key} align="start" wrap>
                  <Form.Item name={[f.name, 'recipient']} style={{ width: 160 }}><Input placeholder={tr('境外接收方', 'Foreign recipient')} /></Form.Item>
                  <Form.Item name={[f.name, 'country']} style={{ width: 70 }} rules={[{ pattern: /^[A-Z]{2}$/, message: 'SG…' }]}><Input placeholder="SG" /></Form.Item>
                  <Form.Item name={[f.name, 'contact']} style={{ width: 150 }}><Input placeholder={tr('联系方式', 'Contact')} /></Form.Item>
                  <Form.Item name={[f.name, 'manner']} style={{ width: 150 }}><Input placeholder={tr('处理方式', 'Manner')} /></Form.Item>
                  <Form.Item name={[f.name, 'pi_categories']} style={{ width: 180 }}><Select mode="multiple" placeholder={tr('种类', 'PI types')} options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c][lang] }))} /></Form.Item>
                  <Form.Item name={[f.name, 'rights']} style={{ width: 200 }}><Input placeholder={tr('向其行使权利的方式', 'How to exercise rights')} /></Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} style={{ marginTop: 8 }} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>{tr('添加境外接收方', 'Add a foreign recipient')}</Button>
            </>}</Form.List> },
          ]} />}
          <Form.Item name="material_change" label={tr('按重大变更处理（纯文本版本须手动标记）', 'Treat as a material change (text-only versions must be flagged)')} valuePropName="checked" style={{ marginTop: 12 }}><Switch /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
