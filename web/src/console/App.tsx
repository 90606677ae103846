/** Layout in the manner of Ant Design Pro: side menu filtered by permission, header with language and account. */
import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Avatar, Button, Dropdown, Layout, Menu, Segmented, Space, Spin, Tag, Typography } from 'antd';
import {
  ApiOutlined, AuditOutlined, DashboardOutlined, DatabaseOutlined, FileProtectOutlined, FileSearchOutlined, KeyOutlined,
  LogoutOutlined, MenuFoldOutlined, MenuUnfoldOutlined, AimOutlined, SafetyCertificateOutlined, SearchOutlined, SolutionOutlined,
  TeamOutlined, UserOutlined, CheckSquareOutlined, SafetyOutlined,
} from '@ant-design/icons';
import { useLang } from '../i18n';
import { useAuth } from './auth';
import { LoginPage } from './pages/Login';
import { TotpModal } from './Totp';

const Dashboard = lazy(() => import('./pages/Dashboard'));
const Collections = lazy(() => import('./pages/Collections'));
const Lookup = lazy(() => import('./pages/Lookup'));
const Requests = lazy(() => import('./pages/Requests'));
const Purposes = lazy(() => import('./pages/Purposes'));
const Roles = lazy(() => import('./pages/Roles'));
const ApiKeys = lazy(() => import('./pages/ApiKeys'));
const StaffPage = lazy(() => import('./pages/Staff'));
const Notices = lazy(() => import('./pages/Notices'));
const Consents = lazy(() => import('./pages/Consents'));
const Audit = lazy(() => import('./pages/Audit'));
const Scan = lazy(() => import('./pages/Scan'));

interface Item { path: string; zh: string; en: string; icon: ReactNode; perm?: string; el: ReactNode; group: 'work' | 'govern' | 'system' }
const ITEMS: Item[] = [
  { path: '/dashboard', zh: '概览', en: 'Dashboard', icon: <DashboardOutlined />, el: <Dashboard />, group: 'work' },
  { path: '/lookup', zh: '客户查询', en: 'Customer lookup', icon: <SearchOutlined />, el: <Lookup />, group: 'work' },
  { path: '/requests', zh: '个人权利请求', en: 'Subject requests', icon: <SolutionOutlined />, el: <Requests />, group: 'work' },
  { path: '/consents', zh: '同意管理', en: 'Consents', icon: <CheckSquareOutlined />, perm: 'consents.manage', el: <Consents />, group: 'work' },
  { path: '/collections', zh: '数据集合', en: 'Collections', icon: <DatabaseOutlined />, el: <Collections />, group: 'govern' },
  { path: '/purposes', zh: '处理目的', en: 'Purposes', icon: <AimOutlined />, el: <Purposes />, group: 'govern' },
  { path: '/notices', zh: '告知文本', en: 'Notices', icon: <FileProtectOutlined />, el: <Notices />, group: 'govern' },
  { path: '/scan', zh: '扫描与去标识化', en: 'Scan & redact', icon: <FileSearchOutlined />, perm: 'scan.use', el: <Scan />, group: 'govern' },
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
  const allowed = useMemo(() => ITEMS.filter((i) => can(i.perm)), [can]);
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
