/** Cross-border transfers: the year's volume against the 2024 thresholds, alerts, and the transfer log. */
import { useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, InputNumber, Modal, Progress, Row, Select, Space, Statistic, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, post } from '../../api';
import { useLang } from '../../i18n';
import { LEGAL_BASES, LEGAL_BASIS_LABELS } from '../../labels';
import { EmptyState, ErrorState, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

interface Volume { year: number; non_sensitive: number; sensitive: number; required_route: string; alerts: Array<{ measure: string; threshold: number; value: number; ratio: number }>; thresholds: { non_sensitive_contract: number; non_sensitive_assessment: number; sensitive_assessment: number }; alert_ratio: number; ciio: boolean }
interface Transfer { id: string; transfer_date: string; destination_country: string; recipient: string; purpose: string; non_sensitive: number; sensitive: number; cumulative: { non_sensitive: number; sensitive: number }; required_route: string; route: string; exemption_ground: string | null; alerts: Array<{ kind: string }> }

const REQUIRED: Record<string, { zh: string; en: string; color: string }> = {
  none: { zh: '免于申报（未达门槛）', en: 'exempt (below thresholds)', color: 'green' },
  contract_or_certification: { zh: '标准合同或认证', en: 'standard contract or certification', color: 'gold' },
  security_assessment: { zh: '数据出境安全评估', en: 'CAC security assessment', color: 'red' },
};
const ROUTES: Record<string, { zh: string; en: string }> = { security_assessment: { zh: '安全评估', en: 'security assessment' }, standard_contract: { zh: '标准合同', en: 'standard contract' }, certification: { zh: '认证', en: 'certification' }, exemption: { zh: '豁免', en: 'exemption' } };
const GROUNDS: Record<string, { zh: string; en: string }> = {
  under_threshold: { zh: '未达门槛（非敏感不满10万人）', en: 'below threshold' }, contract_necessity: { zh: '订立、履行合同所必需', en: 'contract necessity' }, cross_border_hr: { zh: '跨境人力资源管理', en: 'cross-border HR' },
  emergency: { zh: '紧急情况保护生命财产', en: 'emergency' }, foreign_origin_data: { zh: '境外收集的数据', en: 'collected abroad' }, free_trade_zone: { zh: '自贸区负面清单外', en: 'free-trade zone' },
};

export default function Transfers() {
  const { tr, lang, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const vol = useLoad((signal) => get<Volume>('/transfers/volume', { signal }));
  const list = useServerList<Transfer>('/transfers', 'transfers', { sort: 'transfer_date', order: 'desc' });
  const [creating, setCreating] = useState(false);
  const [preview, setPreview] = useState<{ required_route: string; cumulative: { non_sensitive: number; sensitive: number } } | null>(null);
  const [form] = Form.useForm();
  const reload = () => { vol.reload(); list.reload(); };

  if (isMissingRoute(vol.error)) return <Card title={tr('数据出境', 'Cross-border transfers')}><EmptyState title={tr('此服务器尚未提供数据出境管理', 'Cross-border transfers are not available on this server')} /></Card>;
  const v = vol.data;
  const bar = (value: number, limit: number, label: string) => <Progress aria-label={label} percent={Math.min(100, Math.round((value / limit) * 1000) / 10)} status={value >= limit ? 'exception' : v && value >= v.alert_ratio * limit ? 'active' : 'normal'} strokeColor={v && value >= v.alert_ratio * limit && value < limit ? '#fa8c16' : undefined} format={() => `${value.toLocaleString()} / ${limit.toLocaleString()}`} />;

  const check = async () => {
    const x = form.getFieldsValue();
    try { setPreview(await post('/transfers/check', { non_sensitive: x.non_sensitive ?? 0, sensitive: x.sensitive ?? 0 })); } catch (e) { message.error(errText(e)); }
  };
  const create = async (x: Record<string, any>) => {
    const { date, effective, filed, pi_types, ...rest } = x;
    try {
      await post('/transfers', { ...rest, pi_types: String(pi_types).split(/[,，、\s]+/).filter(Boolean), ...(date ? { transfer_date: date.format('YYYY-MM-DD') } : {}), ...(effective ? { contract_effective_date: effective.format('YYYY-MM-DD') } : {}), ...(filed ? { filing_date: filed.format('YYYY-MM-DD') } : {}) });
      setCreating(false); setPreview(null); form.resetFields(); reload(); message.success(tr('已登记', 'Recorded'));
    } catch (e) { message.error(errText(e)); }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card title={tr(`${v?.year ?? ''} 年累计出境（自1月1日起）`, `Transferred abroad in ${v?.year ?? ''} (since 1 January)`)} extra={<Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />}>
        {vol.error ? <ErrorState error={vol.error} compact onRetry={vol.reload} /> : v && (
          <Row gutter={24}>
            <Col xs={24} md={8}><Statistic title={tr('当前所需路径', 'Route now required')} valueRender={() => <Tag color={REQUIRED[v.required_route]?.color} style={{ fontSize: 15, padding: 4 }}>{REQUIRED[v.required_route]?.[lang]}</Tag>} />{v.ciio && <Tag color="red">{tr('关键信息基础设施运营者', 'CIIO')}</Tag>}</Col>
            <Col xs={24} md={16}>
              <Typography.Text>{tr('个人信息（不含敏感）：标准合同门槛 / 安全评估门槛', 'Non-sensitive: contract / assessment thresholds')}</Typography.Text>
              {bar(v.non_sensitive, v.thresholds.non_sensitive_contract, tr('非敏感个人信息：标准合同门槛', 'Non-sensitive: standard contract threshold'))}
              {bar(v.non_sensitive, v.thresholds.non_sensitive_assessment, tr('非敏感个人信息：安全评估门槛', 'Non-sensitive: security assessment threshold'))}
              <Typography.Text>{tr('敏感个人信息：安全评估门槛', 'Sensitive: assessment threshold')}</Typography.Text>
              {bar(v.sensitive, v.thresholds.sensitive_assessment, tr('敏感个人信息：安全评估门槛', 'Sensitive: security assessment threshold'))}
            </Col>
          </Row>
        )}
        {v?.alerts.map((a, i) => <Alert key={i} style={{ marginTop: 8 }} type="warning" showIcon message={tr(`已达门槛 ${a.threshold.toLocaleString()} 的 ${Math.round(a.ratio * 100)}%（${a.measure === 'sensitive' ? '敏感' : '非敏感'}）`, `At ${Math.round(a.ratio * 100)}% of the ${a.threshold.toLocaleString()} threshold (${a.measure.replace('_', '-')})`)} />)}
      </Card>
      <Card title={tr('出境记录', 'Transfers')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{tr('登记出境', 'Record a transfer')}</Button>}>
        {(
          <ServerTable<Transfer> list={list} rowKey="id" empty={tr('没有出境记录', 'No transfers')} emptyHint={tr('向境外提供个人信息前登记于此；路径不满足时会被阻止（个人信息保护法第38条）。', 'Record transfers abroad here before they happen; one without its route is refused (PIPL Art. 38).')}
            columns={[
              { title: tr('日期', 'Date'), dataIndex: 'transfer_date', ...list.sortCol('transfer_date') },
              { title: tr('目的地', 'Destination'), render: (_: unknown, t) => `${t.destination_country} · ${t.recipient}`, ...list.sortCol('destination_country') },
              { title: tr('人数（非敏感/敏感）', 'Individuals (non-sens./sens.)'), ...list.sortCol('non_sensitive'), render: (_: unknown, t) => `${t.non_sensitive.toLocaleString()} / ${t.sensitive.toLocaleString()}` },
              { title: tr('当年累计', 'Year to date'), render: (_: unknown, t) => `${t.cumulative.non_sensitive.toLocaleString()} / ${t.cumulative.sensitive.toLocaleString()}` },
              { title: tr('路径', 'Route'), ...list.filterCol('route', Object.entries(ROUTES).map(([k, v]) => ({ text: v[lang], value: k })), { multiple: false }), render: (_: unknown, t) => <Space size={2}><Tag>{ROUTES[t.route]?.[lang]}</Tag>{t.exemption_ground && <Tag>{GROUNDS[t.exemption_ground]?.[lang]}</Tag>}</Space> },
              { title: tr('预警', 'Alerts'), dataIndex: 'alerts', render: (a: Transfer['alerts']) => a.map((x, i) => <Tag key={i} color="orange">{x.kind}</Tag>) },
            ]} />
        )}
      </Card>
      <Modal title={tr('登记数据出境', 'Record a transfer abroad')} open={creating} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={tr('登记', 'Record')} destroyOnClose width={680}>
        <Form form={form} layout="vertical" onFinish={create} name="new-transfer" initialValues={{ route: 'exemption', exemption_ground: 'under_threshold', legal_basis: 'contract', non_sensitive: 0, sensitive: 0 }}>
          <Space wrap>
            <Form.Item name="destination_country" label={tr('目的地（ISO）', 'Destination (ISO)')} rules={[{ required: true }]}><Input style={{ width: 100 }} maxLength={2} /></Form.Item>
            <Form.Item name="recipient" label={tr('境外接收方', 'Recipient abroad')} rules={[{ required: true }]}><Input style={{ width: 240 }} /></Form.Item>
            <Form.Item name="date" label={tr('出境日期', 'Date')}><DatePicker /></Form.Item>
          </Space>
          <Form.Item name="purpose" label={tr('目的', 'Purpose')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="pi_types" label={tr('个人信息种类（逗号分隔）', 'PI types (comma-separated)')} rules={[{ required: true }]}><Input /></Form.Item>
          <Space wrap align="end">
            <Form.Item name="non_sensitive" label={tr('个人数（非敏感）', 'Individuals (non-sensitive)')}><InputNumber min={0} style={{ width: 160 }} /></Form.Item>
            <Form.Item name="sensitive" label={tr('个人数（敏感）', 'Individuals (sensitive)')}><InputNumber min={0} style={{ width: 160 }} /></Form.Item>
            <Form.Item><Button onClick={() => void check()}>{tr('预检路径', 'Check route')}</Button></Form.Item>
          </Space>
          {preview && <Alert style={{ marginBottom: 12 }} type="info" showIcon message={tr(`累计 ${preview.cumulative.non_sensitive.toLocaleString()} / ${preview.cumulative.sensitive.toLocaleString()}：需要 ${REQUIRED[preview.required_route]?.zh}`, `Year to date ${preview.cumulative.non_sensitive.toLocaleString()} / ${preview.cumulative.sensitive.toLocaleString()}: needs ${REQUIRED[preview.required_route]?.en}`)} />}
          <Space wrap>
            <Form.Item name="route" label={tr('出境路径', 'Route')}><Select style={{ width: 160 }} options={Object.entries(ROUTES).map(([k, x]) => ({ value: k, label: x[lang] }))} /></Form.Item>
            <Form.Item name="exemption_ground" label={tr('豁免依据', 'Exemption ground')}><Select allowClear style={{ width: 240 }} options={Object.entries(GROUNDS).map(([k, x]) => ({ value: k, label: x[lang] }))} /></Form.Item>
            <Form.Item name="route_ref" label={tr('评估/证书编号', 'Assessment / certificate no.')}><Input /></Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="effective" label={tr('标准合同生效日', 'Contract effective')}><DatePicker /></Form.Item>
            <Form.Item name="filed" label={tr('备案日期', 'Filed on')}><DatePicker /></Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="legal_basis" label={tr('合法性基础', 'Legal basis')}><Select style={{ width: 200 }} options={LEGAL_BASES.map((b) => ({ value: b, label: lbl(LEGAL_BASIS_LABELS[b], b) }))} /></Form.Item>
            <Form.Item name="consent_purpose" label={tr('单独同意的目的', 'Separate-consent purpose')}><Input /></Form.Item>
            <Form.Item name="assessment_id" label={tr('已批准的影响评估', 'Approved assessment')} rules={[{ required: true }]}><Input placeholder="pia_…" /></Form.Item>
          </Space>
        </Form>
      </Modal>
    </Space>
  );
}
