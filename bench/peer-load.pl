# peer-load.pl: the queue that bench/peer.sh measures Request Tracker on, as an RT data file
# (rt-setup-database --action insert --datafile bench/peer-load.pl).
#
# One queue, 企业诉求, 200 requestors standing in for enterprises, and PEER_TICKETS tickets
# (default 3000) with Chinese subjects and bodies drawn from the same characters as the filings
# of bench/appeals.sh, deterministic (a fixed linear congruential sequence). Two thirds are new or
# open, a third resolved.
#
# The tickets go in through RT's own RT::Ticket->Create (rows, transactions, attachments,
# watchers and custom field checks exactly as the web and REST interfaces write them), inside
# one database transaction and without running scrips: the scrips only send the autoreply and
# notification mail, which would make the load take minutes. The benchmark's own creations run
# with RT's default scrips.
use strict;
use warnings;
use utf8;
use Encode ();
use MIME::Entity ();

my $n = $ENV{PEER_TICKETS} || 3000;
my $queue = '企业诉求';

our @Queues = ({ Name => $queue, Description => 'Enterprise appeals (benchmark)',
	CorrespondAddress => '', CommentAddress => '' });
our @Users = map { { Name => "e$_\@enterprise.test", EmailAddress => "e$_\@enterprise.test",
	RealName => "企业$_", Privileged => 0 } } 1 .. 200;

our @Final = (sub {
	my @chars = split //, '企业用电报装周期长技改贷款审批慢招工难物流成本高环评项目政策咨询'
		. '补助资金拨付专利维权道路维修出口退税许可证能耗指标融资担保设备款拖欠展会厂房租赁'
		. '人才引进数字化车间诊断天然气供应冬季生产热处理线';
	my $seed = 20260101;
	my $pick = sub { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed % $_[0] };
	my $words = sub { join '', map { $chars[$pick->(scalar @chars)] } 1 .. $_[0] };
	my @status = qw(new open resolved resolved new open);

	no warnings 'redefine';
	local *RT::Scrips::Prepare = sub { return };
	local *RT::Scrips::Commit = sub { return };
	$RT::Handle->BeginTransaction;
	for my $i (1 .. $n) {
		my $body = MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8',
			Data => [Encode::encode('UTF-8', $words->(80))]);
		my ($id, undef, $msg) = RT::Ticket->new(RT->SystemUser)->Create(
			Queue     => $queue,
			Subject   => $words->(16) . $i,
			Requestor => 'e' . (1 + $pick->(200)) . '@enterprise.test',
			Status    => $status[$pick->(scalar @status)],
			MIMEObj   => $body,
		);
		die "ticket $i: $msg\n" unless $id;
	}
	$RT::Handle->Commit;
});

1;
