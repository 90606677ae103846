/** Third parties: screening, recipient key, contracts with deletion at the end, sharing channels, shares made. */
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Drawer, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { call, get, post } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, fmtTime, isMissingRoute, useErrorText } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

interface Contract { id: string; reference: string; purpose: string; processing_method: string; pi_types: Array<{ collection: string; fields: string[] }>; start_date: string; end_date: string; end_of_term: string; state: string; flag: string | null; deletion: { requested_at: string; due: string; confirmed_at: string | null; evidence: string | null } | null }
interface Channel { id: string; name: string; kind: string; purpose: string; collection: string; fields: string[]; separate_consent_purpose: string | null; state: string; contract_id: string }
interface Party { id: string; name: string; kind: string; country: string; uscc: string | null; state: string; flag: string | null; review_due: string | null; screening: { result: string; screened_at: string } | null; public_key: { algorithm: string; fingerprint: string } | null; contracts?: Contract[]; channels?: Channel[] }
interface Share { id: string; third_party_id: string; purpose: string; collection: string; fields: string[]; records: number; refused: number; algorithm: string; created_at: string; actor: { type: string; id: string } }

const KINDS: Record<string, { zh: string; en: string }> = { entrusted: { zh: '受托人（委托处理）', en: 'Processor (entrusted)' }, handler: { zh: '其他个人信息处理者', en: 'Other handler' }, joint: { zh: '共同处理者', en: 'Joint handler' } };
const SCREEN_COLOR: Record<string, string> = { passed: 'green', conditional: 'gold', failed: 'red' };
const FLAGS: Record<string, { zh: string; en: string }> = { review_due: { zh: '待复审', en: 'review due' }, expiring: { zh: '合同即将到期', en: 'expiring' }, deletion_pending: { zh: '待确认删除', en: 'deletion pending' }, deletion_overdue: { zh: '删除确认逾期', en: 'deletion overdue' } };

export default function ThirdParties() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Party>('/third-parties', 'third_parties', { sort: 'name', order: 'asc' });
  const shares = useServerList<Share>('/shares', 'shares', { sort: 'created_at', order: 'desc' });
  const { error, reload } = list;
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();

  if (isMissingRoute(error)) return <Card title={tr('第三方', 'Third parties')}><EmptyState title={tr('此服务器尚未提供第三方管理', 'Third-party management is not available on this server')} /></Card>;
  const create = async (v: Record<string, unknown>) => {
    try { const p = await post<Party>('/third-parties', v); setCreating(false); form.resetFields(); reload(); setOpen(p.id); } catch (e) { message.error(errText(e)); }
  };
  const name = (id: string) => list.rows.find((p) => p.id === id)?.name ?? id;

  return (
    <Card title={tr('第三方与数据提供', 'Third parties and sharing')} extra={<Space>
      <ListSearch list={list} placeholder={tr('第三方名称', 'Third party name')} label={tr('按第三方名称搜索', 'Search third parties by name')} width={200} />
      <Button icon={<ReloadOutlined />} onClick={() => { reload(); shares.reload(); }} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{tr('登记第三方', 'New third party')}</Button>
    </Space>}>
      <Tabs items={[
        { key: 'parties', label: tr('第三方', 'Third parties'), children: (
          <ServerTable<Party> list={list} rowKey="id" onRow={(r) => ({ onClick: () => setOpen(r.id), onKeyDown: (e) => { if (e.key === 'Enter') setOpen(r.id); }, tabIndex: 0, style: { cursor: 'pointer' } })}
            empty={tr('还没有登记第三方', 'No third parties yet')} emptyHint={tr('个人信息只能经登记的通道提供给已筛查、签有合同的第三方。', 'PI leaves only through registered channels to screened third parties under contract.')}
            columns={[
              { title: tr('名称', 'Name'), dataIndex: 'name', ...list.sortCol('name') },
              { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => KINDS[k]?.[lang] ?? k, ...list.sortCol('kind'),
                ...list.filterCol('kind', Object.entries(KINDS).map(([k, v]) => ({ text: v[lang], value: k })), { multiple: false }) },
              { title: tr('国家/地区', 'Country'), dataIndex: 'country', ...list.sortCol('country') },
              { title: tr('筛查', 'Screening'), dataIndex: 'screening', render: (s: Party['screening']) => (s ? <Tag color={SCREEN_COLOR[s.result]}>{s.result}</Tag> : <Tag>{tr('未筛查', 'not screened')}</Tag>) },
              { title: tr('接收公钥', 'Recipient key'), dataIndex: 'public_key', render: (k: Party['public_key']) => (k ? <Typography.Text code>{k.algorithm.split('-')[0]}</Typography.Text> : '—') },
              { title: tr('提醒', 'Flags'), key: 'flag', render: (_: unknown, r) => (r.flag ? <Tag color="orange">{FLAGS[r.flag]?.[lang] ?? r.flag}</Tag> : null),
                ...list.filterCol('flag', [{ text: tr('只看有提醒的', 'Flagged only'), value: 'true' }], { param: 'flagged', multiple: false }) },
              { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => ({ active: tr('合作中', 'active'), suspended: tr('已暂停', 'suspended'), ended: tr('已终止', 'ended') } as Record<string, string>)[s] ?? s,
                ...list.sortCol('state'), ...list.filterCol('state', [{ text: tr('合作中', 'active'), value: 'active' }, { text: tr('已暂停', 'suspended'), value: 'suspended' }, { text: tr('已终止', 'ended'), value: 'ended' }], { multiple: false }) },
              { title: tr('复审日期', 'Review due'), dataIndex: 'review_due', ...list.sortCol('review_due') },
            ]} />
        ) },
        { key: 'shares', label: tr('提供记录', 'Shares made'), children: (
          <ServerTable<Share> list={shares} rowKey="id" empty={tr('还没有提供记录', 'No shares yet')} emptyHint={tr('经登记通道向第三方提供个人信息后，每次提供的记录（逐条可追溯）显示在此。', 'Each provision through a registered channel is recorded here, traceable record by record.')}
            columns={[
              { title: tr('时间', 'At'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang), ...shares.sortCol('created_at') },
              { title: tr('接收方', 'Recipient'), dataIndex: 'third_party_id', render: name },
              { title: tr('目的', 'Purpose'), dataIndex: 'purpose', ...shares.sortCol('purpose') },
              { title: tr('字段', 'Fields'), dataIndex: 'fields', render: (f: string[]) => f.map((x) => <Tag key={x}>{x}</Tag>) },
              { title: tr('记录/拒绝', 'Records / refused'), render: (_: unknown, s) => `${s.records} / ${s.refused}`, ...shares.sortCol('records') },
              { title: tr('加密', 'Encryption'), dataIndex: 'algorithm', render: (a: string) => <Typography.Text code style={{ fontSize: 11 }}>{a}</Typography.Text> },
              { title: tr('操作者', 'By'), dataIndex: 'actor', render: (a: Share['actor']) => a.id },
            ]} />
        ) },
      ]} />
      <Modal title={tr('登记第三方', 'New third party')} open={creating} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={tr('登记', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-party" initialValues={{ kind: 'entrusted', country: 'CN' }}>
          <Form.Item name="name" label={tr('名称', 'Name')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="kind" label={tr('类型', 'Kind')}><Select options={Object.entries(KINDS).map(([k, v]) => ({ value: k, label: v[lang] }))} /></Form.Item>
          <Space wrap>
            <Form.Item name="uscc" label={tr('统一社会信用代码', 'Unified social credit code')}><Input style={{ width: 240 }} /></Form.Item>
            <Form.Item name="country" label={tr('国家/地区（ISO）', 'Country (ISO)')}><Input style={{ width: 100 }} maxLength={2} /></Form.Item>
          </Space>
          <Form.Item name="address" label={tr('地址', 'Address')}><Input /></Form.Item>
        </Form>
      </Modal>
      {open && <PartyDrawer id={open} onClose={() => { setOpen(null); reload(); }} />}
    </Card>
  );
}

function PartyDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [p, setP] = useState<Party | null>(null);
  const [questions, setQuestions] = useState<Array<{ id: string; zh: string; en: string; must: boolean }>>([]);
  const [modal, setModal] = useState<'screen' | 'key' | 'contract' | 'channel' | null>(null);
  const [form] = Form.useForm();
  const load = async () => { try { setP(await get<Party>(`/third-parties/${id}`)); } catch (e) { message.error(errText(e)); } };
  useEffect(() => { void load(); void get<{ questions: typeof questions }>('/third-parties/screening-questions').then((r) => setQuestions(r.questions)).catch(() => undefined); /* eslint-disable-next-line react-hooks/exhaustive-deps */ }, [id]);
  if (!p) return <Drawer open onClose={onClose} width={900} loading />;

  const submit = async (v: Record<string, any>) => {
    try {
      if (modal === 'screen') await call('PUT', `/third-parties/${id}/screening`, { answers: Object.fromEntries(questions.map((q) => [q.id, Boolean(v.answers?.includes(q.id))])), result: v.result, note: v.note });
      if (modal === 'key') await call('PUT', `/third-parties/${id}/key`, { public_key: v.public_key });
      if (modal === 'contract') await post(`/third-parties/${id}/contracts`, { reference: v.reference, purpose: v.purpose, processing_method: v.processing_method, protection_duties: v.protection_duties, end_of_term: v.end_of_term, start_date: v.term[0].format('YYYY-MM-DD'), end_date: v.term[1].format('YYYY-MM-DD'), pi_types: [{ collection: v.collection, fields: String(v.fields).split(/[,，\s]+/).filter(Boolean) }] });
      if (modal === 'channel') await post('/shares/channels', { name: v.name, third_party_id: id, contract_id: v.contract_id, kind: v.kind, purpose: v.purpose, collection: v.collection, fields: String(v.fields).split(/[,，\s]+/).filter(Boolean), ...(v.separate_consent_purpose ? { separate_consent_purpose: v.separate_consent_purpose } : {}) });
      setModal(null); form.resetFields(); await load(); message.success(tr('已保存', 'Saved'));
    } catch (e) { message.error(errText(e)); }
  };
  const endContract = (c: Contract) => Modal.confirm({ title: tr('终止合同并要求返还或删除个人信息？', 'End the contract and request return or deletion?'), onOk: async () => { try { await post(`/third-parties/${id}/contracts/${c.id}/end`, { reason: tr('合作终止', 'Engagement ended') }); await load(); } catch (e) { message.error(errText(e)); } } });
  const confirmDeletion = (c: Contract) => { let ev = ''; Modal.confirm({ title: tr('确认第三方已删除', 'Confirm deletion'), content: <Input.TextArea aria-label={tr('删除证明', 'Evidence')} placeholder={tr('删除证明（文件编号、日期）', 'Evidence (document, date)')} onChange={(e) => { ev = e.target.value; }} />, onOk: async () => { try { await post(`/third-parties/${id}/contracts/${c.id}/deletion-confirmation`, { evidence: ev || '—' }); await load(); } catch (e) { message.error(errText(e)); } } }); };

  return (
    <Drawer open onClose={onClose} width={900} title={p.name} extra={<Space>
      <Button onClick={() => setModal('screen')}>{tr('安全筛查', 'Screening')}</Button>
      <Button onClick={() => setModal('key')}>{tr('登记公钥', 'Recipient key')}</Button>
      <Button onClick={() => setModal('contract')}>{tr('新增合同', 'Add contract')}</Button>
      <Button type="primary" onClick={() => setModal('channel')} disabled={!p.contracts?.some((c) => c.state === 'active')}>{tr('登记提供通道', 'Add channel')}</Button>
    </Space>}>
      <Descriptions size="small" column={2} items={[
        { key: 'k', label: tr('类型', 'Kind'), children: KINDS[p.kind]?.[lang] ?? p.kind },
        { key: 'c', label: tr('国家/地区', 'Country'), children: p.country },
        { key: 'u', label: tr('统一社会信用代码', 'USCC'), children: p.uscc ?? '—' },
        { key: 's', label: tr('筛查', 'Screening'), children: p.screening ? <Tag color={SCREEN_COLOR[p.screening.result]}>{p.screening.result} · {fmtTime(p.screening.screened_at, lang)}</Tag> : tr('未筛查', 'not screened') },
        { key: 'key', label: tr('接收公钥', 'Recipient key'), children: p.public_key ? <Typography.Text code style={{ fontSize: 11 }}>{p.public_key.algorithm} {p.public_key.fingerprint.slice(0, 16)}…</Typography.Text> : tr('未登记（无法提供数据）', 'none (nothing can be shared)') },
        { key: 'r', label: tr('复审日期', 'Review due'), children: p.review_due ?? '—' },
      ]} />
      {p.kind !== 'entrusted' && <Alert style={{ margin: '12px 0' }} type="info" showIcon message={tr('向其他个人信息处理者提供须取得个人的单独同意（个人信息保护法第23条）；通道须指定记录单独同意的目的。', 'Providing PI to another handler needs each individual\'s separate consent (PIPL Art. 23); its channels name the purpose that records it.')} />}
      <Typography.Title level={5}>{tr('合同', 'Contracts')}</Typography.Title>
      <Table<Contract> rowKey="id" size="small" pagination={false} dataSource={p.contracts ?? []} columns={[
        { title: tr('编号', 'Ref.'), dataIndex: 'reference' },
        { title: tr('期限', 'Term'), render: (_: unknown, c) => `${c.start_date} ~ ${c.end_date}` },
        { title: tr('个人信息种类', 'PI types'), dataIndex: 'pi_types', render: (s: Contract['pi_types']) => s.map((x) => `${x.collection}: ${x.fields.join(', ')}`).join('; ') },
        { title: tr('状态', 'State'), render: (_: unknown, c) => <Space size={2}><Tag color={c.state === 'active' ? 'green' : 'default'}>{c.state}</Tag>{c.flag && <Tag color="orange">{FLAGS[c.flag]?.[lang] ?? c.flag}</Tag>}</Space> },
        { title: tr('删除', 'Deletion'), render: (_: unknown, c) => (c.deletion ? (c.deletion.confirmed_at ? tr(`已确认 ${fmtTime(c.deletion.confirmed_at, lang)}`, `confirmed ${fmtTime(c.deletion.confirmed_at, lang)}`) : tr(`待确认，期限 ${c.deletion.due}`, `pending, due ${c.deletion.due}`)) : '—') },
        { title: '', render: (_: unknown, c) => (c.state === 'active' ? <Button size="small" onClick={() => endContract(c)}>{tr('终止', 'End')}</Button> : !c.deletion?.confirmed_at ? <Button size="small" onClick={() => confirmDeletion(c)}>{tr('确认删除', 'Confirm deletion')}</Button> : null) },
      ]} />
      <Typography.Title level={5} style={{ marginTop: 16 }}>{tr('提供通道', 'Sharing channels')}</Typography.Title>
      <Table<Channel> rowKey="id" size="small" pagination={false} dataSource={p.channels ?? []} columns={[
        { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string) => <Typography.Text code>{n}</Typography.Text> },
        { title: tr('方式', 'Kind'), dataIndex: 'kind' },
        { title: tr('目的', 'Purpose'), dataIndex: 'purpose' },
        { title: tr('字段', 'Fields'), render: (_: unknown, c) => `${c.collection}: ${c.fields.join(', ')}` },
        { title: tr('单独同意', 'Separate consent'), dataIndex: 'separate_consent_purpose', render: (s: string | null) => s ?? '—' },
        { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={s === 'active' ? 'green' : 'default'}>{s}</Tag> },
      ]} />
      <Modal open={modal !== null} onCancel={() => setModal(null)} onOk={() => form.submit()} destroyOnClose width={640}
        title={modal === 'screen' ? tr('安全筛查', 'Screening') : modal === 'key' ? tr('登记接收方公钥', 'Recipient public key') : modal === 'contract' ? tr('新增合同', 'New contract') : tr('登记提供通道', 'New channel')}>
        <Form form={form} layout="vertical" onFinish={submit} name={`party-${modal}`} initialValues={{ result: 'passed', end_of_term: 'delete', kind: 'export', collection: 'customers' }}>
          {modal === 'screen' && <>
            <Form.Item name="answers" label={tr('满足的条件（* 为必备）', 'Conditions met (* required)')}><Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 4 }} options={questions.map((q) => ({ value: q.id, label: `${q.must ? '* ' : ''}${q[lang]}` }))} /></Form.Item>
            <Form.Item name="result" label={tr('结论', 'Result')}><Select options={['passed', 'conditional', 'failed'].map((v) => ({ value: v, label: v }))} /></Form.Item>
            <Form.Item name="note" label={tr('说明', 'Note')}><Input.TextArea /></Form.Item>
          </>}
          {modal === 'key' && <Form.Item name="public_key" label={tr('公钥（PEM，X25519、P-256、P-384、SM2 或 RSA≥2048）', 'Public key (PEM: X25519, P-256, P-384, SM2 or RSA ≥ 2048)')} rules={[{ required: true }]}><Input.TextArea autoSize={{ minRows: 6 }} style={{ fontFamily: 'monospace' }} /></Form.Item>}
          {modal === 'contract' && <>
            <Form.Item name="reference" label={tr('合同编号', 'Reference')} rules={[{ required: true }]}><Input /></Form.Item>
            <Form.Item name="term" label={tr('期限', 'Term')} rules={[{ required: true }]}><DatePicker.RangePicker /></Form.Item>
            <Form.Item name="purpose" label={tr('处理目的', 'Purpose')} rules={[{ required: true }]}><Input /></Form.Item>
            <Form.Item name="processing_method" label={tr('处理方式', 'Method')} rules={[{ required: true }]}><Input /></Form.Item>
            <Space wrap>
              <Form.Item name="collection" label={tr('集合', 'Collection')} rules={[{ required: true }]}><Input /></Form.Item>
              <Form.Item name="fields" label={tr('字段（逗号分隔，* 为全部）', 'Fields (comma-separated, * for all)')} rules={[{ required: true }]}><Input style={{ width: 300 }} /></Form.Item>
            </Space>
            <Form.Item name="protection_duties" label={tr('保护义务', 'Protection duties')} rules={[{ required: true }]}><Input.TextArea /></Form.Item>
            <Form.Item name="end_of_term" label={tr('到期处理', 'At the end')}><Select options={[{ value: 'return', label: tr('返还', 'return') }, { value: 'delete', label: tr('删除', 'delete') }, { value: 'return_and_delete', label: tr('返还并删除', 'return and delete') }]} /></Form.Item>
          </>}
          {modal === 'channel' && <>
            <Form.Item name="name" label={tr('通道名称（小写字母、数字、_）', 'Channel name (a-z, 0-9, _)')} rules={[{ required: true }]}><Input /></Form.Item>
            <Form.Item name="contract_id" label={tr('合同', 'Contract')} rules={[{ required: true }]}><Select options={(p.contracts ?? []).filter((c) => c.state === 'active').map((c) => ({ value: c.id, label: c.reference }))} /></Form.Item>
            <Space wrap>
              <Form.Item name="kind" label={tr('方式', 'Kind')}><Select style={{ width: 120 }} options={[{ value: 'export', label: tr('导出文件', 'export') }, { value: 'api', label: 'API' }]} /></Form.Item>
              <Form.Item name="purpose" label={tr('目的', 'Purpose')} rules={[{ required: true }]}><Input /></Form.Item>
              <Form.Item name="separate_consent_purpose" label={tr('单独同意的目的', 'Separate-consent purpose')}><Input /></Form.Item>
            </Space>
            <Space wrap>
              <Form.Item name="collection" label={tr('集合', 'Collection')} rules={[{ required: true }]}><Input /></Form.Item>
              <Form.Item name="fields" label={tr('允许的字段（逗号分隔）', 'Allowed fields (comma-separated)')} rules={[{ required: true }]}><Input style={{ width: 300 }} /></Form.Item>
            </Space>
          </>}
        </Form>
      </Modal>
    </Drawer>
  );
}
