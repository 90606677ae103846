/** The rules library: every rule with law, article, summary and figures, and what in Custodian enforces it. */
import { useState } from 'react';
import { Card, Input, List, Space, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import { PIPL_RULES } from '../../../../src/compliance/pipl-rules.js';
import { useLang } from '../../i18n';

export default function Rules() {
  const { tr, lang } = useLang();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  const rules = PIPL_RULES.filter((r) => !q || `${r.law} ${r.article} ${r.zh} ${r.en} ${r.enforced_by.map((e) => `${e.code ?? ''} ${e.check ?? ''}`).join(' ')}`.toLowerCase().includes(q.toLowerCase()));
  return (
    <Card title={tr('规则库（法律依据）', 'Rules library')} extra={<Input.Search allowClear defaultValue={q} placeholder={tr('条款、关键词或拒绝代码', 'Article, keyword or refusal code')} onChange={(e) => setQ(e.target.value)} style={{ width: 300 }} aria-label={tr('搜索规则', 'Search rules')} />}>
      <List dataSource={rules} itemLayout="vertical" renderItem={(r) => (
        <List.Item key={r.id} id={`rule-${r.id}`}>
          <List.Item.Meta title={<Space wrap><Tag color="blue">{r.law}</Tag><Typography.Text strong>{tr(`第 ${r.article} 条`, `Art. ${r.article}`)}</Typography.Text>{r.configurable && <Tag>{tr('数值可配置', 'configurable')}</Tag>}</Space>}
            description={lang === 'zh' ? r.zh : r.en} />
          {r.figures?.length ? <Space wrap style={{ marginBottom: 8 }}>{r.figures.map((f) => <Tag key={f} color="gold">{f}</Tag>)}</Space> : null}
          <Space wrap>{r.enforced_by.map((e, i) => (
            <Tag key={i} color="green">{e.path ? <Link to={e.path}>{lang === 'zh' ? e.zh : e.en}</Link> : (lang === 'zh' ? e.zh : e.en)}{e.code ? ` · ${e.code}` : ''}{e.check ? ` · ${tr('检查项', 'check')} ${e.check}` : ''}</Tag>
          ))}</Space>
        </List.Item>
      )} />
    </Card>
  );
}
