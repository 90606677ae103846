/** Privacy-preserving analytics: differentially private counts and histograms within the tenant's privacy budget. */
import { useState } from 'react';
import { App, Button, Card, Col, Form, Input, InputNumber, Progress, Radio, Row, Select, Space, Statistic, Typography } from 'antd';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { get, post, put, type Collection, type Purpose } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { ErrorState, fmtTime, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

interface Budget { epsilon_total: number | null; spent: number; remaining: number | null; ledger: Array<{ id: string; epsilon: number; label: string; actor_id: string; at: string }> }
interface Answer { kind: 'count' | 'histogram'; count?: number; buckets?: Array<{ bucket: string; count: number }>; epsilon: number; noise_scale: number; budget_remaining: number }

export default function Analytics() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const { can } = useAuth();
  const b = useServerList<Budget['ledger'][number]>('/analytics/budget', 'ledger', { size: 8, sort: 'at', order: 'desc', totalKey: 'ledger_total' });
  const cols = useLoad((signal) => get<{ collections: Collection[] }>('/collections', { signal }));
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [form] = Form.useForm();
  const collection = Form.useWatch('collection', form);
  const kind = Form.useWatch('kind', form);
  const fields = (cols.data?.collections.find((c) => c.name === collection)?.fields ?? []).filter((f) => ['birth_date', 'cn_id', 'address', 'number', 'boolean'].includes(f.type));
  const ask = async (v: Record<string, unknown>) => {
    try {
      const bins = typeof v.bins === 'string' && v.bins ? v.bins.split(',').map(Number) : undefined;
      setAnswer(await post<Answer>('/analytics/dp', { ...v, bins }));
      b.reload();
    } catch (e) { message.error(errText(e)); }
  };
  const budget = b.data as Budget | undefined;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={9}>
        <Card title={tr('隐私预算', 'Privacy budget')}>
          {b.error ? <ErrorState compact error={b.error} onRetry={b.reload} /> : budget && (
            <>
              {budget.epsilon_total === null ? <Typography.Paragraph type="warning">{tr('尚未设定：由个人信息保护负责人设定 ε 总额后才能查询。', 'Not set: the PI protection officer sets the total epsilon before any query.')}</Typography.Paragraph>
                : <Space size="large"><Statistic title="ε total" value={budget.epsilon_total} /><Statistic title={tr('已消耗', 'spent')} value={budget.spent} precision={3} /><Progress type="circle" size={80} percent={Math.round((budget.spent / budget.epsilon_total) * 100)} /></Space>}
              {can('compliance.manage') && <Space style={{ marginTop: 12 }}>
                <InputNumber min={0.01} max={1000} step={0.5} placeholder="ε" value={total} onChange={(x) => setTotal(x)} aria-label={tr('ε 总额', 'Total epsilon')} />
                <Button disabled={!total} onClick={async () => { try { await put('/analytics/budget', { epsilon_total: total }); b.reload(); } catch (e) { message.error(errText(e)); } }}>{tr('设定', 'Set')}</Button>
              </Space>}
              <div style={{ marginTop: 16 }}><ServerTable<Budget['ledger'][number]> list={b} size="small" rowKey="id" empty={tr('还没有消耗记录', 'Nothing spent yet')} columns={[
                { title: tr('用途', 'Label'), dataIndex: 'label', ...b.sortCol('label') }, { title: 'ε', dataIndex: 'epsilon', ...b.sortCol('epsilon') }, { title: tr('时间', 'At'), dataIndex: 'at', render: (t: string) => fmtTime(t, lang), ...b.sortCol('at') },
              ]} /></div>
            </>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={15}>
        <Card title={tr('差分隐私统计', 'Differentially private statistics')}>
          <Form form={form} layout="vertical" onFinish={ask} initialValues={{ kind: 'count', epsilon: 0.5 }}>
            <Space wrap>
              <Form.Item name="collection" label={tr('集合', 'Collection')} rules={[{ required: true }]}><Select style={{ width: 180 }} options={(cols.data?.collections ?? []).map((c) => ({ value: c.name, label: c.title ?? c.name }))} /></Form.Item>
              <Form.Item name="purpose" label={tr('目的', 'Purpose')} rules={[{ required: true }]}><Select style={{ width: 180 }} options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: p.title }))} /></Form.Item>
              <Form.Item name="kind" label={tr('类型', 'Kind')}><Radio.Group options={[{ value: 'count', label: tr('计数', 'Count') }, { value: 'histogram', label: tr('直方图', 'Histogram') }]} /></Form.Item>
              {kind === 'histogram' && <Form.Item name="field" label={tr('分组字段', 'Bucket by')} rules={[{ required: true }]}><Select style={{ width: 160 }} options={fields.map((f) => ({ value: f.name, label: f.title ?? f.name }))} /></Form.Item>}
              {kind === 'histogram' && fields.find((f) => f.name === form.getFieldValue('field'))?.type === 'number' && <Form.Item name="bins" label={tr('分组边界', 'Bin edges')} rules={[{ required: true }]}><Input placeholder="0,100,1000" /></Form.Item>}
              <Form.Item name="epsilon" label="ε" rules={[{ required: true }]}><InputNumber min={0.01} max={10} step={0.1} /></Form.Item>
              <Form.Item name="label" label={tr('用途说明', 'Label')} rules={[{ required: true }]}><Input style={{ width: 200 }} /></Form.Item>
            </Space>
            <Button type="primary" htmlType="submit" disabled={!can('analytics.use')}>{tr('查询（消耗预算）', 'Query (spends budget)')}</Button>
          </Form>
          {answer && (
            <div style={{ marginTop: 16 }}>
              <Typography.Paragraph type="secondary">{tr(`拉普拉斯噪声，尺度 ${answer.noise_scale.toFixed(2)}；剩余预算 ε=${answer.budget_remaining.toFixed(3)}`, `Laplace noise, scale ${answer.noise_scale.toFixed(2)}; budget left ε=${answer.budget_remaining.toFixed(3)}`)}</Typography.Paragraph>
              {answer.kind === 'count' ? <Statistic title={tr('带噪计数', 'Noisy count')} value={answer.count} /> : (
                <div role="img" aria-label={tr('带噪直方图', 'Noisy histogram')} style={{ height: 300 }}>
                  <ResponsiveContainer><BarChart data={(answer.buckets ?? []).filter((x) => x.count > 0)}><CartesianGrid strokeDasharray="3 3" vertical={false} /><XAxis dataKey="bucket" /><YAxis allowDecimals={false} /><Tooltip /><Bar dataKey="count" fill="#1f5fbf" /></BarChart></ResponsiveContainer>
                </div>
              )}
            </div>
          )}
        </Card>
      </Col>
    </Row>
  );
}
