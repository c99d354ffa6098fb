#!/usr/bin/perl
# man_examples.pl MANPAGE DIR: extract the examples of etcdwatch-templates(7).
#
# Writes DIR/keys.json (from the KEYS USED IN THE EXAMPLES section) and, for every
# example of the form TEMPLATE ⇒ OUTPUT (in the roff source: \(rA), DIR/caseN.tmpl and
# DIR/caseN.want. A template is the text before ⇒ on its line, or the lines starting
# with {{ just above a line that starts with ⇒; an output goes on over the following
# indented lines, aligned with its first character. Prints the number of examples.
use strict;
use warnings;

my ($man, $dir) = @ARGV;
die "usage: man_examples.pl MANPAGE DIR\n" unless defined $dir;
open my $f, '<:encoding(UTF-8)', $man or die "$man: $!\n";
binmode STDOUT, ':encoding(UTF-8)';
my $arrow = "\x{21D2}";
my @l = map {
    chomp;
    s/\\-/-/g;
    s/\\e/\\/g;
    s/\\\(rA/$arrow/g;
    s/\\\(dq/"/g;
    s/\\\(aq/'/g;
    s/\\&//g;
    $_
} <$f>;
close $f;

my ($in, %keys) = (0);
for my $line (@l) {
    if ($line =~ /^\.SH KEYS USED/) { $in = 1; next }
    next unless $in;
    last if $line =~ /^\.fi/;
    next if $line =~ /^\./;
    $keys{$1} = $2 if $line =~ /^(\S+)\s+(.*?)\s*$/;
}
open my $k, '>:encoding(UTF-8)', "$dir/keys.json" or die "$dir/keys.json: $!\n";
print $k '{', join(', ', map {
    my $v = $keys{$_};
    $v =~ s/(["\\])/\\$1/g;
    "\"$_\": \"$v\""
} sort keys %keys), "}\n";
close $k;

my $n = 0;
for my $i (0 .. $#l) {
    next unless $l[$i] =~ /^(.*?)\s*$arrow ?(.*)$/;
    my ($tmpl, $out) = ($1, $2);
    my $col = index($l[$i], $arrow) + 2;
    my @t;
    if ($tmpl =~ /\S/) {
        next unless $tmpl =~ /^\{\{/;
        @t = ($tmpl);
    } else {
        my $j = $i - 1;
        while ($j >= 0 && $l[$j] =~ /^\{\{/ && $l[$j] !~ /$arrow/) {
            unshift @t, $l[$j];
            $j--;
        }
        next unless @t;
    }
    my @o = ($out);
    my $j = $i + 1;
    while ($j <= $#l && $l[$j] =~ /^\s+\S/ && $l[$j] !~ /$arrow/ && $l[$j] !~ /^\s*\{\{/) {
        push @o, substr($l[$j], $col);
        $j++;
    }
    $n++;
    open my $t, '>:encoding(UTF-8)', "$dir/case$n.tmpl" or die;
    print $t join("\n", @t);
    close $t;
    open my $w, '>:encoding(UTF-8)', "$dir/case$n.want" or die;
    print $w join("\n", @o);
    close $w;
}
print "$n\n";
