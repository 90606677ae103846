/**
 * Chinese surnames used as a feature of the name model (src/detect/ner.ts) and by the training
 * generator. Single-character surnames roughly in order of frequency (the common rankings of
 * Mainland surnames; the first hundred cover about 85% of the population), then less common ones,
 * then compound surnames (复姓). A fixed public list, not learnt from any evaluation data.
 */
export const SINGLE_SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢付傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白毛江闫薛尹段雷黎史龙钱贺陶顾龚郝邵万严覃洪武莫孔' +
  '汤向常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵩帖蔚冶' +
  '郗仉竺隗靖钮邴双阎雒桓蓟戎檀佴揭宦琴扶慎充闪宰厍丘禄骞鄂凤涂庹郦訾粘巢酆淳尉冯昝';

export const COMPOUND_SURNAMES = [
  '欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '轩辕',
  '端木', '独孤', '南宫', '西门', '百里', '呼延', '澹台', '万俟', '闻人', '赫连', '濮阳', '太史', '申屠', '公冶', '宗政',
  '钟离', '拓跋', '完颜', '司空', '东郭', '左丘', '颛孙', '羊舌', '巫马', '乐正', '梁丘', '微生', '公羊', '单于',
];
