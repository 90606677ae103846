/** The risk register with a likelihood x impact heat map, reviews and flags. */
import { useState } from 'react';
import { App, Button, Card, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, patch, post } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, ErrorState, isMissingRoute, useErrorText, useLoad } from '../ui';
import { LEVEL_BG, LevelTag } from './governance-shared';
import { ServerTable, useServerList } from '../server-list';

interface Scale { value: number; zh: string; en: string }
interface Heat { matrix: { likelihood: Scale[]; impact: Scale[]; levels: Array<{ level: string; zh: string; en: string }> }; cells: Array<{ likelihood: number; impact: number; level: string; count: number }>; total: number }
interface Risk { id: string; title: string; owner: string; department: string | null; likelihood: number; impact: number; score: number; level: string; treatment: string; treatment_plan: string | null; due_date: string | null; status: string; next_review: string; review_overdue: boolean; treatment_overdue: boolean; source: string; assessment_id: string | null }

const STATUS: Record<string, { zh: string; en: string; color: string }> = {
  open: { zh: '待处置', en: 'open', color: 'red' }, treating: { zh: '处置中', en: 'treating', color: 'blue' }, accepted: { zh: '已接受', en: 'accepted', color: 'gold' }, closed: { zh: '已关闭', en: 'closed', color: 'default' },
};
const TREATMENTS: Record<string, { zh: string; en: string }> = { mitigate: { zh: '降低', en: 'mitigate' }, accept: { zh: '接受', en: 'accept' }, transfer: { zh: '转移', en: 'transfer' }, avoid: { zh: '规避', en: 'avoid' } };

export default function Risks() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Risk>('/risks', 'risks', { sort: 'score', order: 'desc' });
  const f = list.params.filters;
  const cell = f.likelihood && f.impact ? { l: Number(f.likelihood), i: Number(f.impact) } : null;
  const setCell = (c: { l: number; i: number } | null) => list.setFilters({ likelihood: c ? String(c.l) : undefined, impact: c ? String(c.i) : undefined });
  const heat = useLoad((signal) => get<Heat>('/risks/heatmap', { signal }));
  const [creating, setCreating] = useState(false);
  const [reviewing, setReviewing] = useState<Risk | null>(null);
  const [form] = Form.useForm();
  const [rform] = Form.useForm();
  const reload = () => { list.reload(); heat.reload(); };

  if (isMissingRoute(list.error)) return <Card title={tr('风险台账', 'Risk register')}><EmptyState title={tr('此服务器尚未提供风险台账', 'The risk register is not available on this server')} /></Card>;
  const m = heat.data?.matrix;
  const levelName = (l: string) => m?.levels.find((x) => x.level === l)?.[lang] ?? l;

  const create = async (v: Record<string, unknown> & { due?: { format(f: string): string } }) => {
    const { due, ...rest } = v;
    try { await post('/risks', { ...rest, ...(due ? { due_date: due.format('YYYY-MM-DD') } : {}) }); setCreating(false); form.resetFields(); reload(); } catch (e) { message.error(errText(e)); }
  };
  const review = async (v: { note?: string; likelihood?: number; impact?: number; status?: string }) => {
    try { await post(`/risks/${reviewing?.id}/reviews`, v); setReviewing(null); rform.resetFields(); reload(); message.success(tr('已记录复核', 'Review recorded')); } catch (e) { message.error(errText(e)); }
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={9}>
        <Card title={tr('风险热力图（未关闭）', 'Heat map (not closed)')} extra={cell && <Button size="small" onClick={() => setCell(null)}>{tr('清除筛选', 'Clear filter')}</Button>}>
          {heat.error ? <ErrorState error={heat.error} compact onRetry={heat.reload} /> : m && (
            <table className="heatmap" style={{ borderCollapse: 'collapse', width: '100%' }} aria-label={tr('风险热力图', 'Risk heat map')}>
              <tbody>
                {[...m.likelihood].reverse().map((l) => (
                  <tr key={l.value}>
                    <th style={{ textAlign: 'right', paddingRight: 6, fontWeight: 400, whiteSpace: 'nowrap' }}>{l[lang]}</th>
                    {m.impact.map((i) => {
                      const c = heat.data?.cells.find((x) => x.likelihood === l.value && x.impact === i.value);
                      const sel = cell?.l === l.value && cell?.i === i.value;
                      return (
                        <td key={i.value} style={{ background: LEVEL_BG[c?.level ?? ''] ?? '#f5f5f5', border: sel ? '2px solid #1f5fbf' : '1px solid #fff', textAlign: 'center', height: 44, padding: 0 }}>
                          <Tooltip title={`${tr('可能性', 'Likelihood')} ${l.value} × ${tr('影响', 'Impact')} ${i.value} = ${l.value * i.value} (${levelName(c?.level ?? '')})`}>
                            <button type="button" className="heat-cell" aria-pressed={sel} aria-label={`${tr('可能性', 'Likelihood')} ${l.value} × ${tr('影响', 'Impact')} ${i.value}: ${c?.count ?? 0}`} onClick={() => setCell({ l: l.value, i: i.value })}><strong>{c?.count || ''}</strong></button>
                          </Tooltip>
                        </td>
                      );
                    })}
                  </tr>
                ))}
                <tr><th />{m.impact.map((i) => <th key={i.value} style={{ fontWeight: 400 }}>{i[lang]}</th>)}</tr>
              </tbody>
            </table>
          )}
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{tr('纵轴：可能性；横轴：影响程度。点击格子筛选右侧列表。', 'Rows: likelihood; columns: impact. Click a cell to filter the list.')}</Typography.Paragraph>
        </Card>
      </Col>
      <Col xs={24} xl={15}>
        <Card title={tr('风险台账', 'Risk register')} extra={<Space>
          <Select allowClear placeholder={tr('状态', 'Status')} style={{ width: 120 }} value={f.status} onChange={(v) => list.setFilter('status', v)} aria-label={tr('按状态筛选', 'Filter by status')} options={Object.entries(STATUS).map(([k, v]) => ({ value: k, label: v[lang] }))} />
          <Space size={4}><Switch checked={f.flagged === 'true'} onChange={(v) => list.setFilter('flagged', v ? 'true' : undefined)} aria-label={tr('只看逾期', 'Overdue only')} /><span>{tr('只看逾期', 'Overdue only')}</span></Space>
          <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{tr('登记风险', 'New risk')}</Button>
        </Space>}>
          {(
            <ServerTable<Risk> list={list} rowKey="id" empty={tr('没有风险', 'No risks')} emptyHint={tr('影响评估发现的风险与手工登记的风险都记录在此，按期复核。', 'Risks found by impact assessments and those entered by hand are kept here and reviewed on schedule.')}
              columns={[
                { title: tr('风险', 'Risk'), dataIndex: 'title', ...list.sortCol('title'), render: (t: string, r) => <Space direction="vertical" size={0}><span>{t}</span>{r.assessment_id && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{tr('来自评估', 'from assessment')} {r.assessment_id}</Typography.Text>}</Space> },
                { title: tr('责任人/部门', 'Owner / dept.'), ...list.sortCol('owner'), render: (_: unknown, r) => `${r.owner}${r.department ? ` / ${r.department}` : ''}` },
                { title: tr('等级', 'Level'), dataIndex: 'level', ...list.sortCol('score'), render: (l: string, r) => <Space size={2}><LevelTag level={l} label={levelName(l)} /><span>{r.likelihood}×{r.impact}</span></Space> },
                { title: tr('处置', 'Treatment'), dataIndex: 'treatment', render: (t: string) => TREATMENTS[t]?.[lang] ?? t },
                { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS[s]?.color}>{STATUS[s]?.[lang] ?? s}</Tag>, ...list.sortCol('status') },
                { title: tr('期限/复核', 'Due / review'), ...list.sortCol('next_review'), render: (_: unknown, r) => <Space direction="vertical" size={0}><span>{r.due_date ?? '—'}{r.treatment_overdue && <Tag color="red" style={{ marginLeft: 4 }}>{tr('逾期', 'overdue')}</Tag>}</span><span>{r.next_review}{r.review_overdue && <Tag color="orange" style={{ marginLeft: 4 }}>{tr('待复核', 'review')}</Tag>}</span></Space> },
                { title: '', render: (_: unknown, r) => <Space><Button size="small" onClick={() => { setReviewing(r); rform.setFieldsValue({ likelihood: r.likelihood, impact: r.impact, status: r.status }); }}>{tr('复核', 'Review')}</Button>{r.status !== 'closed' && <Button size="small" onClick={() => void patch(`/risks/${r.id}`, { status: 'closed' }).then(reload).catch((e) => message.error(errText(e)))}>{tr('关闭', 'Close')}</Button>}</Space> },
              ]} />
          )}
        </Card>
      </Col>
      <Modal title={tr('登记风险', 'New risk')} open={creating} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={tr('登记', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-risk" initialValues={{ likelihood: 2, impact: 2, treatment: 'mitigate', review_interval_days: 90 }}>
          <Form.Item name="title" label={tr('风险', 'Risk')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="description" label={tr('说明', 'Description')}><Input.TextArea autoSize={{ minRows: 2 }} /></Form.Item>
          <Space wrap>
            <Form.Item name="owner" label={tr('责任人', 'Owner')} rules={[{ required: true }]}><Input /></Form.Item>
            <Form.Item name="department" label={tr('部门', 'Department')}><Input /></Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="likelihood" label={tr('可能性', 'Likelihood')}><Select style={{ width: 120 }} options={(m?.likelihood ?? []).map((s) => ({ value: s.value, label: `${s.value} ${s[lang]}` }))} /></Form.Item>
            <Form.Item name="impact" label={tr('影响程度', 'Impact')}><Select style={{ width: 120 }} options={(m?.impact ?? []).map((s) => ({ value: s.value, label: `${s.value} ${s[lang]}` }))} /></Form.Item>
            <Form.Item name="treatment" label={tr('处置方式', 'Treatment')}><Select style={{ width: 120 }} options={Object.entries(TREATMENTS).map(([k, v]) => ({ value: k, label: v[lang] }))} /></Form.Item>
          </Space>
          <Form.Item name="treatment_plan" label={tr('处置计划', 'Treatment plan')}><Input.TextArea autoSize={{ minRows: 2 }} /></Form.Item>
          <Space wrap>
            <Form.Item name="due" label={tr('处置期限', 'Due date')}><DatePicker /></Form.Item>
            <Form.Item name="review_interval_days" label={tr('复核周期（天）', 'Review every (days)')}><InputNumber min={1} max={3660} /></Form.Item>
          </Space>
        </Form>
      </Modal>
      <Modal title={tr('记录复核', 'Record a review')} open={reviewing !== null} onCancel={() => setReviewing(null)} onOk={() => rform.submit()} destroyOnClose>
        <Form form={rform} layout="vertical" onFinish={review} name="risk-review">
          <Space wrap>
            <Form.Item name="likelihood" label={tr('可能性', 'Likelihood')}><Select style={{ width: 120 }} options={(m?.likelihood ?? []).map((s) => ({ value: s.value, label: `${s.value} ${s[lang]}` }))} /></Form.Item>
            <Form.Item name="impact" label={tr('影响程度', 'Impact')}><Select style={{ width: 120 }} options={(m?.impact ?? []).map((s) => ({ value: s.value, label: `${s.value} ${s[lang]}` }))} /></Form.Item>
            <Form.Item name="status" label={tr('状态', 'Status')}><Select style={{ width: 120 }} options={Object.entries(STATUS).map(([k, v]) => ({ value: k, label: v[lang] }))} /></Form.Item>
          </Space>
          <Form.Item name="note" label={tr('复核意见', 'Note')}><Input.TextArea autoSize={{ minRows: 2 }} /></Form.Item>
        </Form>
      </Modal>
    </Row>
  );
}
