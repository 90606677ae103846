import { useState } from 'react';
import { Alert, App, Button, Card, Input, Radio, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, FileSearchOutlined, InboxOutlined } from '@ant-design/icons';
import { post, type Finding } from '../../api';
import { useLang } from '../../i18n';
import { FINDING_LABELS } from '../../labels';
import { EmptyState, download, useErrorText } from '../ui';

type Mode = 'mask' | 'tag' | 'pseudonym';
const MAX = 12 * 1024 * 1024;

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export default function Scan() {
  const { tr, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [tab, setTab] = useState<'text' | 'file'>('text');
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ name: string; b64: string } | null>(null);
  const [mode, setMode] = useState<Mode>('mask');
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [busy, setBusy] = useState<'scan' | 'redact' | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [redacted, setRedacted] = useState<string | null>(null);

  const source = () => (tab === 'text' ? { text } : file ? { filename: file.name, content_base64: file.b64 } : null);
  const scan = async () => {
    const s = source(); if (!s) return;
    setBusy('scan'); setErr(null); setRedacted(null);
    try { setFindings((await post<{ findings: Finding[] }>('/scan', s)).findings); } catch (e) { setErr(errText(e)); setFindings(null); } finally { setBusy(null); }
  };
  const redact = async () => {
    const s = source(); if (!s) return;
    setBusy('redact'); setErr(null);
    try {
      const r = await post<{ text?: string; filename?: string; content_base64?: string; findings: Finding[] }>('/redact', { ...s, mode });
      setFindings(r.findings);
      if (r.text !== undefined) { setRedacted(r.text); download('redacted.txt', r.text, 'text/plain;charset=utf-8'); }
      else if (r.content_base64) {
        const name = (r.filename ?? 'file').replace(/(\.[^.]+)?$/, (ext) => `.redacted${ext}`);
        download(name, fromBase64(r.content_base64));
      }
      message.success(tr('已生成去标识化副本', 'De-identified copy written'));
    } catch (e) { setErr(errText(e)); } finally { setBusy(null); }
  };
  const ready = tab === 'text' ? text.trim().length > 0 : Boolean(file);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={tr('扫描与去标识化', 'Scan & redact')}>
        <Typography.Paragraph type="secondary">{tr('在文本或文件（TXT、CSV、DOCX、XLSX 等）中发现个人信息，并生成掩码、标签或假名化的副本。结果不含原始值。', 'Find PI in text or files (TXT, CSV, DOCX, XLSX…) and write a masked, tagged or pseudonymised copy. Results never contain the raw values.')}</Typography.Paragraph>
        <Tabs activeKey={tab} onChange={(k) => { setTab(k as 'text' | 'file'); setFindings(null); setRedacted(null); }} items={[
          { key: 'text', label: tr('粘贴文本', 'Paste text'), children: <Input.TextArea aria-label={tr('要扫描的文本', 'Text to scan')} rows={8} value={text} onChange={(e) => setText(e.target.value)} placeholder={tr('例如：客户张三，手机 13800138000，身份证 11010519491231002X', 'e.g. customer Zhang San, mobile 13800138000, ID 11010519491231002X')} /> },
          { key: 'file', label: tr('上传文件', 'Upload a file'), children: (
            <Upload.Dragger maxCount={1} showUploadList={file ? { showRemoveIcon: true } : false} fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []} onRemove={() => { setFile(null); return true; }}
              beforeUpload={(f) => {
                if (f.size > MAX) { message.error(tr('文件超过 12 MB', 'The file is larger than 12 MB')); return Upload.LIST_IGNORE; }
                void f.arrayBuffer().then((b) => setFile({ name: f.name, b64: toBase64(b) }));
                return false;
              }}>
              <p className="ant-upload-drag-icon"><InboxOutlined /></p>
              <p>{tr('点击或拖入文件', 'Click or drop a file here')}</p>
            </Upload.Dragger>
          ) },
        ]} />
        <Space wrap style={{ marginTop: 16 }}>
          <Button type="primary" icon={<FileSearchOutlined />} disabled={!ready} loading={busy === 'scan'} onClick={() => void scan()}>{tr('扫描', 'Scan')}</Button>
          <Radio.Group aria-label={tr('去标识化方式', 'Redaction mode')} value={mode} onChange={(e) => setMode(e.target.value as Mode)} optionType="button" options={[
            { value: 'mask', label: tr('掩码', 'Mask') }, { value: 'tag', label: tr('类型标签', 'Type tag') }, { value: 'pseudonym', label: tr('假名化', 'Pseudonym') }]} />
          <Button icon={<DownloadOutlined />} disabled={!ready} loading={busy === 'redact'} onClick={() => void redact()}>{tr('下载去标识化副本', 'Download redacted copy')}</Button>
        </Space>
      </Card>
      <Card title={tr('发现结果', 'Findings')}>
        {err ? <Alert type="error" showIcon role="alert" message={err} /> : findings === null ? <EmptyState title={tr('尚未扫描', 'Nothing scanned yet')} /> : (
          <Table<Finding> rowKey={(f) => `${f.start}-${f.end}-${f.type}-${f.location?.cell ?? ''}`} size="small" dataSource={findings} pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: <EmptyState title={tr('未发现个人信息', 'No PI found')} /> }}
            columns={[
              { title: tr('类型', 'Type'), dataIndex: 'type', render: (t: string) => <Tag color="blue">{lbl(FINDING_LABELS[t], t)}</Tag>, filters: [...new Set(findings.map((f) => f.type))].map((t) => ({ text: lbl(FINDING_LABELS[t], t), value: t })), onFilter: (v, f) => f.type === v },
              { title: tr('预览（已掩码）', 'Preview (masked)'), dataIndex: 'preview', render: (p: string) => <Typography.Text code>{p}</Typography.Text> },
              { title: tr('位置', 'Where'), render: (_, f) => (f.location?.sheet ? `${f.location.sheet}!${f.location.cell ?? ''}` : f.location?.path ? f.location.path : tr(`第 ${f.line} 行第 ${f.column} 列`, `line ${f.line}, col ${f.column}`)) },
              { title: tr('置信度', 'Score'), dataIndex: 'score', render: (s: number) => `${Math.round(s * 100)}%`, sorter: (a, b) => a.score - b.score },
            ]} />
        )}
        {redacted !== null && <><Typography.Title level={5} style={{ marginTop: 16 }}>{tr('去标识化文本', 'Redacted text')}</Typography.Title><Typography.Paragraph><pre className="redacted">{redacted}</pre></Typography.Paragraph></>}
      </Card>
    </Space>
  );
}
