import { Card, Col, List, Row, Statistic, Tag, Typography, Skeleton, Alert } from 'antd';
import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { get, qs, type AuditEvent, type Collection, type DsRequest, type Purpose, type VerifyResult } from '../../api';
import { useLang } from '../../i18n';
import { LEGAL_BASIS_LABELS, type LegalBasis } from '../../labels';
import { ErrorState, fmtTime, isForbidden, isMissingRoute, useErrorText, useLoad } from '../ui';
import { useAuth } from '../auth';
import { DoctorList } from './Compliance';

const DAYS = 14;

export default function Dashboard() {
  const { lang, tr, lbl } = useLang();
  const { can } = useAuth();
  const errText = useErrorText();
  const cols = useLoad((signal) => get<{ collections: Collection[] }>('/collections', { signal }));
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const verify = useLoad((signal) => (can('audit.read') ? get<VerifyResult>('/audit/verify', { signal }) : Promise.resolve(null)), [can]);
  const since = new Date(Date.now() - DAYS * 86400_000);
  since.setHours(0, 0, 0, 0);
  since.setDate(since.getDate() + 1); // the last DAYS days including today
  const events = useLoad((signal) => (can('audit.read') ? get<{ events: AuditEvent[] }>(`/audit/events${qs({ from: since.toISOString(), limit: 1000 })}`, { signal }) : Promise.resolve(null)), [can]);
  const requests = useLoad((signal) => get<{ requests: DsRequest[] }>('/requests', { signal }));

  const fields = (cols.data?.collections ?? []).flatMap((c) => c.fields);
  const sensitive = fields.filter((f) => f.sensitive).length;
  const pie = [
    { name: tr('敏感个人信息字段', 'Sensitive PI fields'), value: sensitive },
    { name: tr('一般个人信息字段', 'Other PI fields'), value: fields.length - sensitive },
  ];
  const byBasis = Object.entries((purposes.data?.purposes ?? []).reduce<Record<string, number>>((a, p) => { a[p.legal_basis] = (a[p.legal_basis] ?? 0) + 1; return a; }, {}))
    .map(([k, n]) => ({ name: lbl(LEGAL_BASIS_LABELS[k as LegalBasis], k).replace(/（.*|\(Art.*/, ''), n }));
  const evs = events.data?.events ?? [];
  const days: Array<{ day: string; allow: number; deny: number }> = [];
  for (let i = 0; i < DAYS; i++) {
    const d = new Date(since.getTime() + i * 86400_000);
    days.push({ day: `${d.getMonth() + 1}/${d.getDate()}`, allow: 0, deny: 0 });
  }
  for (const e of evs) {
    const i = Math.floor((new Date(e.at).getTime() - since.getTime()) / 86400_000);
    if (days[i]) days[i][e.decision] += 1;
  }
  const refusals = evs.filter((e) => e.decision === 'deny').slice(-8).reverse();
  const reqs = requests.data?.requests ?? [];
  const open = reqs.filter((r) => !['completed', 'closed', 'rejected', 'done', 'cancelled'].includes(r.state));
  const overdue = open.filter((r) => r.overdue || (r.due && new Date(r.due) < new Date()));

  const stat = (title: string, l: { loading: boolean; error: unknown }, value: number | string | undefined, extra?: React.ReactNode) => (
    <Card>
      {l.error ? <><Typography.Text type="secondary">{title}</Typography.Text>{isMissingRoute(l.error)
        ? <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>{tr('此服务器未提供', 'Not available on this server')}</Typography.Paragraph>
        : <Alert type={isForbidden(l.error) ? 'warning' : 'error'} message={errText(l.error)} showIcon style={{ marginTop: 8 }} />}</>
        : <Statistic title={title} loading={l.loading} value={value ?? 0} suffix={extra} />}
    </Card>
  );
  const COLORS = ['#cf1322', '#1f5fbf'];

  return (
    <div>
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>{stat(tr('数据集合', 'Collections'), cols, cols.data?.collections.length, <Typography.Text type="secondary" style={{ fontSize: 14 }}> / {fields.length} {tr('字段', 'fields')}</Typography.Text>)}</Col>
        <Col xs={24} sm={12} xl={6}>{stat(tr('处理目的', 'Purposes'), purposes, purposes.data?.purposes.length)}</Col>
        <Col xs={24} sm={12} xl={6}>
          {can('audit.read') ? (
            <Card>
              {verify.error ? <ErrorState compact error={verify.error} onRetry={verify.reload} /> : (
                <Statistic title={tr('审计链状态', 'Audit chain')} loading={verify.loading}
                  value={verify.data?.ok ? tr('完整', 'Intact') : tr('已损坏', 'Broken')}
                  valueStyle={{ color: verify.data?.ok ? '#389e0d' : '#cf1322' }}
                  prefix={verify.data?.ok ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#cf1322" />}
                  suffix={<Typography.Text type="secondary" style={{ fontSize: 14 }}>{tr(`${verify.data?.events ?? 0} 条事件`, `${verify.data?.events ?? 0} events`)}</Typography.Text>} />
              )}
            </Card>
          ) : stat(tr('审计链状态', 'Audit chain'), { loading: false, error: null }, tr('无权限查看', 'Not permitted'))}
        </Col>
        <Col xs={24} sm={12} xl={6}>
          {requests.error ? stat(tr('待办请求', 'Open requests'), requests, undefined)
            : <Card><Statistic title={tr('待办请求 / 已逾期', 'Open / overdue requests')} loading={requests.loading} value={open.length} suffix={<Typography.Text type={overdue.length ? 'danger' : 'secondary'} style={{ fontSize: 14 }}> / {overdue.length}</Typography.Text>} /></Card>}
        </Col>
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={14}>
          <Card title={tr(`近 ${DAYS} 天访问决定`, `Access decisions, last ${DAYS} days`)}>
            {!can('audit.read') ? <Typography.Text type="secondary">{tr('需要“查看审计日志”权限', 'Needs the audit.read permission')}</Typography.Text>
              : events.error ? <ErrorState compact error={events.error} onRetry={events.reload} />
                : events.loading ? <Skeleton active /> : (
                  <div role="img" aria-label={tr('按天统计的允许与拒绝次数柱状图', 'Bar chart of allowed and refused decisions per day')} style={{ height: 260 }}>
                    <div aria-hidden="true" style={{ height: '100%' }}><ResponsiveContainer>
                      <BarChart data={days}>
                        <CartesianGrid strokeDasharray="3 3" vertical={false} />
                        <XAxis dataKey="day" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
                        <Bar dataKey="allow" stackId="a" name={tr('允许', 'Allowed')} fill="#1f5fbf" />
                        <Bar dataKey="deny" stackId="a" name={tr('拒绝', 'Refused')} fill="#cf1322" />
                      </BarChart>
                    </ResponsiveContainer></div>
                  </div>
                )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={tr('敏感个人信息占比（按字段）', 'Sensitive PI share (by field)')}>
            {cols.error ? <ErrorState compact error={cols.error} onRetry={cols.reload} /> : cols.loading ? <Skeleton active /> : fields.length === 0
              ? <Typography.Text type="secondary">{tr('尚未定义任何集合', 'No collections defined yet')}</Typography.Text> : (
                <div role="img" aria-label={tr(`敏感字段 ${sensitive} 个，共 ${fields.length} 个`, `${sensitive} of ${fields.length} fields are sensitive`)} style={{ height: 260 }}>
                  <div aria-hidden="true" style={{ height: '100%' }}><ResponsiveContainer>
                    <PieChart>
                      <Pie data={pie} dataKey="value" nameKey="name" innerRadius={50} outerRadius={90} label rootTabIndex={-1}>
                        {pie.map((_, i) => <Cell key={i} fill={COLORS[i]} />)}
                      </Pie>
                      <Tooltip /><Legend />
                    </PieChart>
                  </ResponsiveContainer></div>
                </div>
              )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={tr('最近的拒绝', 'Recent refusals')}>
            {!can('audit.read') ? <Typography.Text type="secondary">{tr('需要“查看审计日志”权限', 'Needs the audit.read permission')}</Typography.Text>
              : events.error ? <ErrorState compact error={events.error} onRetry={events.reload} /> : (
                <List loading={events.loading} dataSource={refusals} locale={{ emptyText: tr(`近 ${DAYS} 天没有被拒绝的访问`, `No refusals in the last ${DAYS} days`) }}
                  renderItem={(e) => (
                    <List.Item>
                      <List.Item.Meta title={<><Tag color="red">{e.action}</Tag>{e.collection ?? ''} {e.purpose ? <Tag>{e.purpose}</Tag> : null}</>}
                        description={`${fmtTime(e.at, lang)} · ${e.actor_type}:${e.actor_id}${e.reason ? ` · ${e.reason}` : ''}`} />
                    </List.Item>
                  )} />
              )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={tr('处理目的（按合法性基础）', 'Purposes by legal basis')}>
            {purposes.error ? <ErrorState compact error={purposes.error} onRetry={purposes.reload} /> : purposes.loading ? <Skeleton active /> : byBasis.length === 0
              ? <Typography.Text type="secondary">{tr('尚未登记处理目的', 'No purposes registered yet')}</Typography.Text> : (
                <div role="img" aria-label={tr('处理目的按合法性基础分布', 'Purposes per legal basis')} style={{ height: 220 }}>
                  <div aria-hidden="true" style={{ height: '100%' }}><ResponsiveContainer>
                    <BarChart data={byBasis} layout="vertical" margin={{ left: 24 }}>
                      <XAxis type="number" allowDecimals={false} /><YAxis type="category" dataKey="name" width={150} /><Tooltip />
                      <Bar dataKey="n" name={tr('目的数', 'Purposes')} fill="#13a8a8" />
                    </BarChart>
                  </ResponsiveContainer></div>
                </div>
              )}
          </Card>
        </Col>
        {can('compliance.read') && (
          <Col xs={24}>
            {/* issue 11: the same checks as `custodian doctor` */}
            <Card title={tr('安全自检', 'Security self-check')}><DoctorList compact /></Card>
          </Col>
        )}
      </Row>
    </div>
  );
}
