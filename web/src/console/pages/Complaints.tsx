/** Complaints and reports: intake, SLA, assignment, replies, closure with feedback, statistics. */
import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Drawer, Form, Input, Modal, Row, Select, Space, Statistic, Switch, Tag, Timeline, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, patch, post } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

interface Complaint { id: string; kind: string; channel: string; category: string; summary: string; anonymous: boolean; subject_id: string | null; contact: string | null; state: string; assignee: string | null; received_at: string; sla_due: string; working_days_left: number | null; overdue: boolean; resolution: string | null; feedback: string | null; messages?: Array<{ id: string; direction: string; body: string; author: string | null; at: string }> }
interface Stats { total: number; open: number; overdue: number; closed_on_time_rate: number | null; avg_first_reply_hours: number | null; avg_resolution_days: number | null; by_category: Record<string, number>; feedback: { satisfaction_rate: number | null } }

const L = (zh: string, en: string) => ({ zh, en });
const CATEGORIES: Record<string, { zh: string; en: string }> = {
  rights_request: L('个人权利请求', 'rights request'), consent: L('同意', 'consent'), marketing: L('营销打扰', 'marketing'), data_leak: L('信息泄露', 'data leak'), misuse: L('违规使用', 'misuse'),
  security: L('安全问题', 'security'), minors: L('未成年人', 'minors'), third_party: L('第三方', 'third party'), other: L('其他', 'other'),
};
const CHANNELS: Record<string, { zh: string; en: string }> = { portal: L('自助门户', 'portal'), email: L('邮件', 'email'), phone: L('电话', 'phone'), letter: L('信函', 'letter'), in_person: L('现场', 'in person'), internal: L('内部', 'internal') };
const STATES: Record<string, { zh: string; en: string; color: string }> = { received: { ...L('已受理', 'received'), color: 'blue' }, in_progress: { ...L('处理中', 'in progress'), color: 'geekblue' }, replied: { ...L('已答复', 'replied'), color: 'cyan' }, closed: { ...L('已关闭', 'closed'), color: 'default' } };

export default function Complaints() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Complaint>('/complaints', 'complaints', { sort: 'received_at', order: 'desc' });
  const state = list.params.filters.state;
  const overdue = list.params.filters.overdue === 'true';
  const stats = useLoad((signal) => get<Stats>('/complaints/stats', { signal }));
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [form] = Form.useForm();
  const reload = () => { list.reload(); stats.reload(); };
  const kindWatch = Form.useWatch('kind', form);

  if (isMissingRoute(list.error)) return <Card title={tr('投诉与举报', 'Complaints')}><EmptyState title={tr('此服务器尚未提供投诉管理', 'Complaints are not available on this server')} /></Card>;
  const create = async (v: Record<string, unknown>) => {
    try { await post('/complaints', v); setCreating(false); form.resetFields(); reload(); message.success(tr('已受理', 'Received')); } catch (e) { message.error(errText(e)); }
  };
  const s = stats.data;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Row gutter={16}>
        {[
          [tr('总数', 'Total'), s?.total], [tr('未关闭', 'Open'), s?.open], [tr('已逾期', 'Overdue'), s?.overdue],
          [tr('按时关闭率', 'Closed on time'), s?.closed_on_time_rate == null ? '—' : `${Math.round(s.closed_on_time_rate * 100)}%`],
          [tr('平均首次答复（小时）', 'Avg. first reply (h)'), s?.avg_first_reply_hours ?? '—'], [tr('满意率', 'Satisfied'), s?.feedback.satisfaction_rate == null ? '—' : `${Math.round(s.feedback.satisfaction_rate * 100)}%`],
        ].map(([t, val], i) => <Col key={i} xs={12} md={4}><Card size="small"><Statistic title={t} value={val as string | number | undefined ?? '—'} /></Card></Col>)}
      </Row>
      <Card title={tr('投诉与举报', 'Complaints and reports')} extra={<Space>
        <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 120 }} value={state} onChange={(v) => list.setFilter('state', v)} aria-label={tr('按状态筛选', 'Filter by state')} options={Object.entries(STATES).map(([k, v]) => ({ value: k, label: v[lang] }))} />
        <Space size={4}><Switch checked={overdue} onChange={(v) => list.setFilter('overdue', v ? 'true' : undefined)} aria-label={tr('只看逾期', 'Overdue only')} /><span>{tr('只看逾期', 'Overdue only')}</span></Space>
        <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{tr('受理', 'New')}</Button>
      </Space>}>
        {(
          <ServerTable<Complaint> list={list} rowKey="id" onRow={(r) => ({ onClick: () => setOpen(r.id), onKeyDown: (e) => { if (e.key === 'Enter') setOpen(r.id); }, tabIndex: 0, style: { cursor: 'pointer' } })} rowClassName={(r) => (r.overdue ? 'row-overdue' : '')}
            empty={tr('没有投诉或举报', 'No complaints or reports')} emptyHint={tr('个人通过门户、电话或邮件提出的投诉和举报在此受理，并按工作日计算答复时限。', 'Complaints and reports made through the portal, phone or email are handled here, with reply deadlines in working days.')}
            columns={[
              { title: tr('类型', 'Kind'), dataIndex: 'kind', ...list.filterCol('kind', [{ text: tr('投诉', 'complaint'), value: 'complaint' }, { text: tr('举报', 'report'), value: 'report' }], { multiple: false }), render: (k: string, r) => <Space size={2}><Tag color={k === 'report' ? 'purple' : 'blue'}>{k === 'report' ? tr('举报', 'report') : tr('投诉', 'complaint')}</Tag>{r.anonymous && <Tag>{tr('匿名', 'anonymous')}</Tag>}</Space> },
              { title: tr('摘要', 'Summary'), dataIndex: 'summary' },
              { title: tr('分类', 'Category'), dataIndex: 'category', render: (c: string) => CATEGORIES[c]?.[lang] ?? c, ...list.sortCol('category'),
                ...list.filterCol('category', Object.entries(CATEGORIES).map(([k, v]) => ({ text: v[lang], value: k })), { multiple: false }) },
              { title: tr('渠道', 'Channel'), dataIndex: 'channel', render: (c: string) => CHANNELS[c]?.[lang] ?? c, ...list.filterCol('channel', Object.entries(CHANNELS).map(([k, v]) => ({ text: v[lang], value: k })), { multiple: false }) },
              { title: tr('状态', 'State'), dataIndex: 'state', render: (x: string) => <Tag color={STATES[x]?.color}>{STATES[x]?.[lang] ?? x}</Tag>, ...list.sortCol('state') },
              { title: tr('处理人', 'Assignee'), dataIndex: 'assignee', render: (a: string | null) => a ?? '—' },
              { title: tr('受理时间', 'Received'), dataIndex: 'received_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('received_at') },
              { title: tr('时限', 'Due'), dataIndex: 'sla_due', ...list.sortCol('sla_due'), render: (d: string, r) => <Space size={4}>{d}{r.overdue ? <Tag color="red">{tr('已逾期', 'overdue')}</Tag> : r.working_days_left !== null ? <Typography.Text type="secondary">{tr(`剩 ${r.working_days_left} 个工作日`, `${r.working_days_left} working days left`)}</Typography.Text> : null}</Space> },
            ]} />
        )}
      </Card>
      <Modal title={tr('受理投诉或举报', 'Receive a complaint or report')} open={creating} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={tr('受理', 'Receive')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-complaint" initialValues={{ kind: 'complaint', channel: 'phone', category: 'other' }}>
          <Space wrap>
            <Form.Item name="kind" label={tr('类型', 'Kind')}><Select style={{ width: 120 }} options={[{ value: 'complaint', label: tr('投诉', 'complaint') }, { value: 'report', label: tr('举报', 'report') }]} /></Form.Item>
            <Form.Item name="channel" label={tr('渠道', 'Channel')}><Select style={{ width: 120 }} options={Object.entries(CHANNELS).map(([k, v]) => ({ value: k, label: v[lang] }))} /></Form.Item>
            <Form.Item name="category" label={tr('分类', 'Category')}><Select style={{ width: 160 }} options={Object.entries(CATEGORIES).map(([k, v]) => ({ value: k, label: v[lang] }))} /></Form.Item>
          </Space>
          <Form.Item name="summary" label={tr('摘要', 'Summary')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="description" label={tr('内容', 'Description')} rules={[{ required: true }]}><Input.TextArea autoSize={{ minRows: 3 }} /></Form.Item>
          {kindWatch === 'report' && <Form.Item name="anonymous" valuePropName="checked" label={tr('匿名举报（不记录举报人）', 'Anonymous (no reporter kept)')}><Switch /></Form.Item>}
          <Space wrap>
            <Form.Item name="subject_id" label={tr('客户主体 ID（可选）', 'Subject ID (optional)')}><Input placeholder="sub_…" /></Form.Item>
            <Form.Item name="contact" label={tr('联系方式（可选）', 'Contact (optional)')}><Input /></Form.Item>
          </Space>
        </Form>
      </Modal>
      {open && <ComplaintDrawer id={open} onClose={() => { setOpen(null); reload(); }} />}
    </Space>
  );
}

function ComplaintDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [c, setC] = useState<Complaint | null>(null);
  const [text, setText] = useState('');
  const [closing, setClosing] = useState(false);
  const [cform] = Form.useForm();
  const load = async () => { try { setC(await get<Complaint>(`/complaints/${id}`)); } catch (e) { message.error(errText(e)); } };
  useEffect(() => { void load(); /* eslint-disable-next-line react-hooks/exhaustive-deps */ }, [id]);
  if (!c) return <Drawer open onClose={onClose} width={760} loading />;
  const send = async (direction: 'outbound' | 'inbound' | 'note') => {
    try { await post(`/complaints/${id}/messages`, { direction, body: text }); setText(''); await load(); } catch (e) { message.error(errText(e)); }
  };
  const closed = c.state === 'closed';
  return (
    <Drawer open onClose={onClose} width={760} title={c.summary}>
      <Descriptions size="small" column={2} items={[
        { key: 's', label: tr('状态', 'State'), children: <Tag color={STATES[c.state]?.color}>{STATES[c.state]?.[lang]}</Tag> },
        { key: 'd', label: tr('时限', 'Due'), children: `${c.sla_due}${c.overdue ? ` (${tr('已逾期', 'overdue')})` : ''}` },
        { key: 'c', label: tr('分类/渠道', 'Category / channel'), children: `${CATEGORIES[c.category]?.[lang] ?? c.category} · ${CHANNELS[c.channel]?.[lang] ?? c.channel}` },
        { key: 'p', label: tr('投诉人', 'Complainant'), children: c.anonymous ? tr('匿名', 'anonymous') : `${c.subject_id ?? '—'} ${c.contact ?? ''}` },
        { key: 'a', label: tr('处理人', 'Assignee'), children: <Input size="small" aria-label={tr('处理人', 'Assignee')} defaultValue={c.assignee ?? ''} disabled={closed} onBlur={(e) => { if (e.target.value !== (c.assignee ?? '')) void patch(`/complaints/${id}`, { assignee: e.target.value || null }).then(load).catch((er) => message.error(errText(er))); }} style={{ width: 160 }} /> },
        { key: 'f', label: tr('评价', 'Feedback'), children: c.feedback ?? '—' },
      ]} />
      {c.resolution && <Typography.Paragraph style={{ marginTop: 8 }}><strong>{tr('处理结果：', 'Resolution: ')}</strong>{c.resolution}</Typography.Paragraph>}
      <Timeline style={{ marginTop: 16 }} items={(c.messages ?? []).map((m) => ({ color: m.direction === 'outbound' ? 'green' : m.direction === 'note' ? 'gray' : 'blue', children: <><Typography.Text type="secondary">{fmtTime(m.at, lang)} · {m.direction === 'outbound' ? tr('答复', 'reply') : m.direction === 'note' ? tr('内部备注', 'note') : tr('来信', 'inbound')}{m.author ? ` · ${m.author}` : ''}</Typography.Text><div style={{ whiteSpace: 'pre-wrap' }}>{m.body}</div></> }))} />
      {!closed && <>
        <Input.TextArea aria-label={tr('内容', 'Message')} value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 3 }} placeholder={tr('答复投诉人，或记录内部备注', 'Reply to the complainant, or add an internal note')} />
        <Space style={{ marginTop: 8 }}>
          <Button type="primary" disabled={!text.trim() || c.anonymous} onClick={() => void send('outbound')}>{tr('答复', 'Reply')}</Button>
          <Button disabled={!text.trim()} onClick={() => void send('inbound')}>{tr('记录来信', 'Log inbound')}</Button>
          <Button disabled={!text.trim()} onClick={() => void send('note')}>{tr('内部备注', 'Note')}</Button>
          <Button danger onClick={() => setClosing(true)}>{tr('关闭', 'Close')}</Button>
        </Space>
      </>}
      {closed && !c.anonymous && !c.feedback && <Space style={{ marginTop: 8 }}>{(['satisfied', 'neutral', 'unsatisfied'] as const).map((f) => <Button key={f} onClick={() => void post(`/complaints/${id}/feedback`, { feedback: f }).then(load).catch((e) => message.error(errText(e)))}>{f === 'satisfied' ? tr('满意', 'Satisfied') : f === 'neutral' ? tr('一般', 'Neutral') : tr('不满意', 'Unsatisfied')}</Button>)}</Space>}
      <Modal title={tr('关闭并记录结果', 'Close with the resolution')} open={closing} onCancel={() => setClosing(false)} onOk={() => cform.submit()} destroyOnClose>
        <Form form={cform} layout="vertical" name="close-complaint" onFinish={async (v) => { try { await post(`/complaints/${id}/close`, v); setClosing(false); await load(); } catch (e) { message.error(errText(e)); } }}>
          <Form.Item name="resolution" label={tr('处理结果', 'Resolution')} rules={[{ required: true }]}><Input.TextArea autoSize={{ minRows: 3 }} /></Form.Item>
          {!c.anonymous && <Form.Item name="feedback" label={tr('投诉人评价（如已获得）', 'Feedback (if given)')}><Select allowClear options={[{ value: 'satisfied', label: tr('满意', 'satisfied') }, { value: 'neutral', label: tr('一般', 'neutral') }, { value: 'unsatisfied', label: tr('不满意', 'unsatisfied') }]} /></Form.Item>}
        </Form>
      </Modal>
    </Drawer>
  );
}
