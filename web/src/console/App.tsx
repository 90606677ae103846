/** Layout in the manner of Ant Design Pro: side menu filtered by permission, header with language and account. */
import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Avatar, Button, Dropdown, Layout, Menu, Segmented, Space, Spin, Tag, Typography } from 'antd';
import {
  ApiOutlined, AuditOutlined, DashboardOutlined, DatabaseOutlined, FileProtectOutlined, FileSearchOutlined, KeyOutlined,
  LogoutOutlined, MenuFoldOutlined, MenuUnfoldOutlined, AimOutlined, SafetyCertificateOutlined, SearchOutlined, SolutionOutlined,
  TeamOutlined, UserOutlined, CheckSquareOutlined, SafetyOutlined,
  FileDoneOutlined, HeatMapOutlined, ShareAltOutlined, GlobalOutlined, MessageOutlined, ProfileOutlined, AlertOutlined, FireOutlined,
  // issue 11
  BarChartOutlined, DeleteOutlined, ReconciliationOutlined, BookOutlined, ReadOutlined, SendOutlined,
} from '@ant-design/icons';
import { useLang } from '../i18n';
import { useAuth } from './auth';
import { LoginPage } from './pages/Login';
import { TotpModal } from './Totp';

const Dashboard = lazy(() => import('./pages/Dashboard'));
const Collections = lazy(() => import('./pages/Collections'));
const Lookup = lazy(() => import('./pages/Lookup'));
const Requests = lazy(() => import('./pages/Requests'));
// issue 7: the delivery outbox (portal codes, incident notices), masked
const Outbox = lazy(() => import('./pages/Outbox'));
const Purposes = lazy(() => import('./pages/Purposes'));
const Roles = lazy(() => import('./pages/Roles'));
const ApiKeys = lazy(() => import('./pages/ApiKeys'));
const StaffPage = lazy(() => import('./pages/Staff'));
const Notices = lazy(() => import('./pages/Notices'));
const Consents = lazy(() => import('./pages/Consents'));
const Audit = lazy(() => import('./pages/Audit'));
const Scan = lazy(() => import('./pages/Scan'));
// issue 10
const Assessments = lazy(() => import('./pages/Assessments'));
const Risks = lazy(() => import('./pages/Risks'));
const ThirdParties = lazy(() => import('./pages/ThirdParties'));
const Transfers = lazy(() => import('./pages/Transfers'));
const Complaints = lazy(() => import('./pages/Complaints'));
const Activities = lazy(() => import('./pages/Activities'));
// issue 9
const Alerts = lazy(() => import('./pages/Alerts'));
const Incidents = lazy(() => import('./pages/Incidents'));
// issue 11
const Compliance = lazy(() => import('./pages/Compliance'));
const Reports = lazy(() => import('./pages/Reports'));
const Deregistration = lazy(() => import('./pages/Deregistration'));
const Analytics = lazy(() => import('./pages/Analytics'));
const Rules = lazy(() => import('./pages/Rules'));
const Training = lazy(() => import('./pages/Training'));

interface Item { path: string; zh: string; en: string; icon: ReactNode; perm?: string | string[]; el: ReactNode; group: 'work' | 'govern' | 'system' }
const ITEMS: Item[] = [
  { path: '/dashboard', zh: '概览', en: 'Dashboard', icon: <DashboardOutlined />, el: <Dashboard />, group: 'work' },
  { path: '/lookup', zh: '客户查询', en: 'Customer lookup', icon: <SearchOutlined />, el: <Lookup />, group: 'work' },
  { path: '/requests', zh: '个人权利请求', en: 'Subject requests', icon: <SolutionOutlined />, el: <Requests />, group: 'work' },
  { path: '/consents', zh: '同意管理', en: 'Consents', icon: <CheckSquareOutlined />, perm: 'consents.manage', el: <Consents />, group: 'work' },
  { path: '/complaints', zh: '投诉与举报', en: 'Complaints', icon: <MessageOutlined />, perm: 'complaints.manage', el: <Complaints />, group: 'work' },
  { path: '/collections', zh: '数据集合', en: 'Collections', icon: <DatabaseOutlined />, el: <Collections />, group: 'govern' },
  { path: '/purposes', zh: '处理目的', en: 'Purposes', icon: <AimOutlined />, el: <Purposes />, group: 'govern' },
  { path: '/notices', zh: '告知文本', en: 'Notices', icon: <FileProtectOutlined />, el: <Notices />, group: 'govern' },
  { path: '/assessments', zh: '影响评估', en: 'Impact assessments', icon: <FileDoneOutlined />, perm: ['assessments.manage', 'assessments.approve'], el: <Assessments />, group: 'govern' },
  { path: '/risks', zh: '风险台账', en: 'Risk register', icon: <HeatMapOutlined />, perm: 'risks.manage', el: <Risks />, group: 'govern' },
  { path: '/third-parties', zh: '第三方与提供', en: 'Third parties', icon: <ShareAltOutlined />, perm: ['third_parties.manage', 'shares.create'], el: <ThirdParties />, group: 'govern' },
  { path: '/transfers', zh: '数据出境', en: 'Cross-border', icon: <GlobalOutlined />, perm: 'transfers.manage', el: <Transfers />, group: 'govern' },
  { path: '/activities', zh: '处理活动记录', en: 'Processing activities', icon: <ProfileOutlined />, perm: 'activities.manage', el: <Activities />, group: 'govern' },
  { path: '/alerts', zh: '异常告警', en: 'Alerts', icon: <AlertOutlined />, perm: 'incidents.manage', el: <Alerts />, group: 'govern' },
  { path: '/incidents', zh: '安全事件', en: 'Incidents', icon: <FireOutlined />, perm: 'incidents.manage', el: <Incidents />, group: 'govern' },
  { path: '/scan', zh: '扫描与去标识化', en: 'Scan & redact', icon: <FileSearchOutlined />, perm: 'scan.use', el: <Scan />, group: 'govern' },
  // issue 11
  { path: '/compliance', zh: '合规审计', en: 'Compliance audits', icon: <FileDoneOutlined />, perm: 'compliance.read', el: <Compliance />, group: 'govern' },
  { path: '/reports', zh: '报告与透明度', en: 'Reports', icon: <ReconciliationOutlined />, perm: 'compliance.read', el: <Reports />, group: 'govern' },
  { path: '/training', zh: '培训与问责', en: 'Training', icon: <ReadOutlined />, el: <Training />, group: 'work' },
  { path: '/rules', zh: '规则库', en: 'Rules library', icon: <BookOutlined />, el: <Rules />, group: 'govern' },
  { path: '/analytics', zh: '隐私统计', en: 'Private analytics', icon: <BarChartOutlined />, perm: 'analytics.use', el: <Analytics />, group: 'govern' },
  { path: '/deregistration', zh: '企业注销', en: 'Deregistration', icon: <DeleteOutlined />, perm: 'deregistration.manage', el: <Deregistration />, group: 'system' },
  { path: '/outbox', zh: '发件箱', en: 'Outbox', icon: <SendOutlined />, perm: 'requests.manage', el: <Outbox />, group: 'system' },
  { path: '/audit', zh: '审计日志', en: 'Audit log', icon: <AuditOutlined />, perm: 'audit.read', el: <Audit />, group: 'system' },
  { path: '/roles', zh: '角色与授权', en: 'Roles & grants', icon: <SafetyCertificateOutlined />, perm: 'roles.manage', el: <Roles />, group: 'system' },
  { path: '/staff', zh: '员工账号', en: 'Staff', icon: <TeamOutlined />, perm: 'roles.manage', el: <StaffPage />, group: 'system' },
  { path: '/api-keys', zh: 'API 密钥', en: 'API keys', icon: <KeyOutlined />, perm: 'keys.manage', el: <ApiKeys />, group: 'system' },
];
const GROUPS = { work: { zh: '日常工作', en: 'Daily work' }, govern: { zh: '合规治理', en: 'Governance' }, system: { zh: '系统管理', en: 'Administration' } };

export function ConsoleApp() {
  const { identity, ready } = useAuth();
  const { tr } = useLang();
  if (!ready) return <div className="boot"><Spin size="large" tip={tr('正在加载…', 'Loading…')}><div style={{ width: 200, height: 80 }} /></Spin></div>;
  if (!identity) return <Routes><Route path="*" element={<LoginPage />} /></Routes>;
  return <Shell />;
}

export function LangSwitch() {
  const { lang, setLang } = useLang();
  return <Segmented size="small" aria-label="语言 / Language" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />;
}

function Shell() {
  const { identity, logout, can } = useAuth();
  const { lang, tr } = useLang();
  const nav = useNavigate();
  const loc = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const [totpOpen, setTotpOpen] = useState(false);
  const allowed = useMemo(() => ITEMS.filter((i) => (Array.isArray(i.perm) ? i.perm.some((p) => can(p)) : can(i.perm))), [can]);
  const menu = useMemo(() => (Object.keys(GROUPS) as Array<keyof typeof GROUPS>).map((g) => ({
    type: 'group' as const, key: g, label: collapsed ? null : GROUPS[g][lang],
    children: allowed.filter((i) => i.group === g).map((i) => ({ key: i.path, icon: i.icon, label: i[lang] })),
  })).filter((g) => g.children.length), [allowed, lang, collapsed]);
  const current = allowed.find((i) => loc.pathname.startsWith(i.path));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider theme="dark" width={220} collapsible collapsed={collapsed} trigger={null} breakpoint="lg" onBreakpoint={setCollapsed}>
        <div className="brand"><ApiOutlined /> {!collapsed && <span>Custodian</span>}</div>
        <Menu theme="dark" mode="inline" selectedKeys={current ? [current.path] : []} items={menu} onClick={(e) => nav(e.key)} />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="header">
          <Space>
            <Button type="text" aria-label={collapsed ? tr('展开菜单', 'Expand menu') : tr('收起菜单', 'Collapse menu')} icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />} onClick={() => setCollapsed(!collapsed)} />
            <Typography.Title level={4} style={{ margin: 0 }}>{current ? current[lang] : ''}</Typography.Title>
          </Space>
          <Space size="middle">
            <LangSwitch />
            {identity?.kind === 'key' && <Tag color="orange">{tr('API 密钥登录（开发用）', 'API key sign-in (developer)')}</Tag>}
            <Dropdown menu={{ items: [
              ...(identity?.kind === 'staff' ? [{ key: 'totp', icon: <SafetyOutlined />, label: identity.totp ? tr('两步验证：已启用', 'Two-step verification: on') : tr('启用两步验证', 'Turn on two-step verification'), onClick: () => setTotpOpen(true) }] : []),
              { key: 'out', icon: <LogoutOutlined />, label: tr('退出登录', 'Sign out'), onClick: () => { void logout().then(() => nav('/')); } },
            ] }}>
              <Button type="text" data-testid="account"><Avatar size="small" icon={<UserOutlined />} /> {identity?.name}</Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <TotpModal open={totpOpen} onClose={() => setTotpOpen(false)} />
        <Layout.Content className="content">
          <Suspense fallback={<Spin style={{ display: 'block', margin: 80 }} />}>
            <Routes>
              {allowed.map((i) => <Route key={i.path} path={`${i.path}/*`} element={i.el} />)}
              <Route path="*" element={<Navigate to="/dashboard" replace />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
