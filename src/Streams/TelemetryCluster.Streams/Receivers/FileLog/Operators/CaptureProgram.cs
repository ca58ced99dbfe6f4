using System.Globalization;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// An allocation-free matcher for the common subset of regex_parser patterns: a backtracking program (Perl/.NET
/// priority semantics) over literals, <c>.</c>, classes, <c>\d \w \s</c> and negations, anchors <c>^ $ \A \z \Z</c>,
/// groups (named, numbered, non-capturing), alternation and greedy/lazy quantifiers. .NET's <c>Regex</c> has no way to
/// read group positions without allocating a <c>Match</c> and its group objects per entry; this program reports the
/// named groups' spans into a reusable array instead. Patterns outside the subset (flags, lookaround, backreferences,
/// <c>\b</c>, <c>\p{…}</c>, loops over empty-matching bodies, …) return null from <see cref="TryCompile"/> and the
/// parser uses .NET's <c>Regex</c>. A run that exceeds its step budget gives up and the caller uses <c>Regex</c> (with
/// its timeout) for that entry, so pathological input costs no more than with .NET alone.
/// </summary>
internal sealed class CaptureProgram
{
    private const int MaxProgramLength = 4096;

    private readonly Instruction[] _code;
    private readonly CharClass[] _classes;
    private readonly bool _anchoredStart;

    private CaptureProgram(Instruction[] code, CharClass[] classes, string[] names, bool anchoredStart)
    {
        _code = code;
        _classes = classes;
        Names = names;
        _anchoredStart = anchoredStart;
    }

    private enum Op : byte
    {
        Char,
        Class,
        Any,
        AnyAll,
        Split,
        Jmp,
        Save,
        Bol,
        Eol,
        EndZ,
        Match,

        /// <summary>Greedy repetition of one single-character matcher (Inner, C, X), at most Z times (-1: unbounded).</summary>
        Star,
    }

    private const int FrameSplit = 0;
    private const int FrameUndo = 1;
    private const int FrameRepeat = 2;

    /// <summary>Named groups in slot order (slot 2i = start, 2i+1 = end).</summary>
    public string[] Names { get; }

    public static CaptureProgram? TryCompile(string pattern)
    {
        // A leading (?s) (dot matches newline, common after recombine) is the only inline flag in the subset.
        var dotAll = pattern.StartsWith("(?s)", StringComparison.Ordinal);
        var parser = new Parser(dotAll ? pattern[4..] : pattern, dotAll);
        Node? root;
        try
        {
            root = parser.ParseAlternation();
            if (parser.Position != pattern.Length - (dotAll ? 4 : 0))
            {
                return null;
            }
        }
        catch (NotSupportedException)
        {
            return null;
        }

        if (parser.Names.Count == 0 || parser.Names.Distinct(StringComparer.Ordinal).Count() != parser.Names.Count)
        {
            return null;
        }

        var emitter = new Emitter();
        try
        {
            emitter.Emit(root);
        }
        catch (NotSupportedException)
        {
            return null;
        }

        emitter.Code.Add(new Instruction(Op.Match));
        if (emitter.Code.Count > MaxProgramLength)
        {
            return null;
        }

        foreach (var set in parser.Classes)
        {
            set.Seal();
        }

        var anchored = emitter.Code[0].Op == Op.Bol;
        return new CaptureProgram([.. emitter.Code], [.. parser.Classes], [.. parser.Names], anchored);
    }

    /// <summary>Per-reader state: capture slots and the backtracking stack, reused for every entry.</summary>
    public sealed class Runner(CaptureProgram program)
    {
        private readonly int[] _slots = new int[program.Names.Length * 2];
        private int[] _stack = new int[256];

        /// <summary>Start of named group i, or -1 when it did not participate.</summary>
        public int Start(int group) => _slots[group * 2];

        public int End(int group) => _slots[(group * 2) + 1];

        /// <summary>Searches <paramref name="text"/>; null when the step budget ran out (use .NET's Regex then).</summary>
        public bool? Match(string text)
        {
            var budget = 200_000L + (64L * text.Length);
            var last = program._anchoredStart ? 0 : text.Length;
            for (var start = 0; start <= last; start++)
            {
                var result = Run(text, start, ref budget);
                if (result != false)
                {
                    return result;
                }
            }

            return false;
        }

        private bool? Run(string s, int start, ref long budget)
        {
            var code = program._code;
            Array.Fill(_slots, -1);
            var sp = 0;
            var pc = 0;
            var pos = start;
            while (true)
            {
                if (--budget < 0)
                {
                    return null;
                }

                var ok = true;
                switch (code[pc].Op)
                {
                    case Op.Char:
                        ok = pos < s.Length && s[pos] == code[pc].C;
                        pos++;
                        pc++;
                        break;
                    case Op.Class:
                        ok = pos < s.Length && program._classes[code[pc].X].Contains(s[pos]);
                        pos++;
                        pc++;
                        break;
                    case Op.Any:
                        ok = pos < s.Length && s[pos] != '\n';
                        pos++;
                        pc++;
                        break;
                    case Op.AnyAll:
                        ok = pos < s.Length;
                        pos++;
                        pc++;
                        break;
                    case Op.Star:
                        var begin = pos;
                        var limit = code[pc].Z < 0 ? s.Length : Math.Min(s.Length, pos + code[pc].Z);
                        pos = Repeat(code[pc], s, pos, limit);

                        budget -= pos - begin;
                        if (pos > begin)
                        {
                            Push(ref sp, FrameRepeat, pc + 1, begin, pos - 1);
                        }

                        pc++;
                        break;
                    case Op.Split:
                        Push(ref sp, FrameSplit, code[pc].Y, pos, 0);
                        pc = code[pc].X;
                        break;
                    case Op.Jmp:
                        pc = code[pc].X;
                        break;
                    case Op.Save:
                        Push(ref sp, FrameUndo, code[pc].X, _slots[code[pc].X], 0);
                        _slots[code[pc].X] = pos;
                        pc++;
                        break;
                    case Op.Bol:
                        ok = pos == 0;
                        pc++;
                        break;
                    case Op.Eol:
                        ok = pos == s.Length || (pos == s.Length - 1 && s[pos] == '\n');
                        pc++;
                        break;
                    case Op.EndZ:
                        ok = pos == s.Length;
                        pc++;
                        break;
                    default:
                        return true;
                }

                if (ok)
                {
                    continue;
                }

                // Backtrack: undo captures until a saved alternative.
                while (true)
                {
                    if (sp == 0)
                    {
                        return false;
                    }

                    sp -= 4;
                    var kind = _stack[sp];
                    if (kind == FrameUndo)
                    {
                        _slots[_stack[sp + 1]] = _stack[sp + 2];
                        continue;
                    }

                    pc = _stack[sp + 1];
                    if (kind == FrameSplit)
                    {
                        pos = _stack[sp + 2];
                        break;
                    }

                    // A greedy repetition gives back one character at a time.
                    var first = _stack[sp + 2];
                    pos = _stack[sp + 3];
                    if (pos > first)
                    {
                        sp += 4;
                        _stack[sp - 1] = pos - 1;
                    }

                    break;
                }
            }
        }

        /// <summary>How far the single-character matcher of <paramref name="ins"/> repeats from <paramref name="pos"/> (at most to <paramref name="limit"/>).</summary>
        private int Repeat(in Instruction ins, string s, int pos, int limit)
        {
            var rest = s.AsSpan(pos, limit - pos);
            int run;
            switch (ins.Inner)
            {
                case Op.Any:
                    // `.*` (the usual last group): everything up to the next line feed, found vectorized.
                    run = rest.IndexOf('\n');
                    break;
                case Op.AnyAll:
                    return limit;
                case Op.Char:
                    run = rest.IndexOfAnyExcept(ins.C);
                    break;
                default:
                    var set = program._classes[ins.X];
                    run = 0;
                    while (run < rest.Length && set.Contains(rest[run]))
                    {
                        run++;
                    }

                    return pos + run;
            }

            return run < 0 ? limit : pos + run;
        }

        private void Push(ref int sp, int kind, int a, int b, int c)
        {
            if (sp + 4 > _stack.Length)
            {
                Array.Resize(ref _stack, _stack.Length * 2);
            }

            _stack[sp] = kind;
            _stack[sp + 1] = a;
            _stack[sp + 2] = b;
            _stack[sp + 3] = c;
            sp += 4;
        }
    }

    private readonly record struct Instruction(Op Op, char C = '\0', int X = 0, int Y = 0, int Z = 0, Op Inner = Op.Match);

    /// <summary>A character class: ranges plus \d \w \s (and their negations), optionally negated as a whole.</summary>
    private sealed class CharClass
    {
        public List<(char From, char To)> Ranges { get; } = [];

        public bool Digit { get; set; }

        public bool NotDigit { get; set; }

        public bool Word { get; set; }

        public bool NotWord { get; set; }

        public bool Space { get; set; }

        public bool NotSpace { get; set; }

        public bool Negated { get; set; }

        /// <summary>Membership of the 128 ASCII characters, precomputed by <see cref="Seal"/>.</summary>
        private ulong _low;
        private ulong _high;

        public void Seal()
        {
            for (var c = (char)0; c < 128; c++)
            {
                if (Matches(c) != Negated)
                {
                    if (c < 64)
                    {
                        _low |= 1UL << c;
                    }
                    else
                    {
                        _high |= 1UL << (c - 64);
                    }
                }
            }
        }

        public bool Contains(char c) => c < 64 ? (_low & (1UL << c)) != 0 : c < 128 ? (_high & (1UL << (c - 64))) != 0 : Matches(c) != Negated;

        private bool Matches(char c)
        {
            foreach (var (from, to) in Ranges)
            {
                if (c >= from && c <= to)
                {
                    return true;
                }
            }

            return (Digit && char.IsDigit(c)) || (NotDigit && !char.IsDigit(c)) ||
                   (Word && IsWord(c)) || (NotWord && !IsWord(c)) ||
                   (Space && char.IsWhiteSpace(c)) || (NotSpace && !char.IsWhiteSpace(c));
        }

        /// <summary>.NET's \w: letters, non-spacing marks, decimal digits, connector punctuation.</summary>
        private static bool IsWord(char c)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                return true;
            }

            if (c < 128)
            {
                return false;
            }

            var category = char.GetUnicodeCategory(c);
            return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.SpacingCombiningMark;
        }
    }

    private abstract record Node;

    private sealed record Empty : Node;

    private sealed record Single(Op Op, char C = '\0', int Class = 0) : Node;

    private sealed record Assert(Op Op) : Node;

    private sealed record Sequence(List<Node> Items) : Node;

    private sealed record Alternation(List<Node> Options) : Node;

    private sealed record Group(Node Body, int Slot) : Node;

    private sealed record Repeat(Node Body, int Min, int Max, bool Lazy) : Node;

    private sealed class Parser(string pattern, bool dotAll)
    {
        public int Position { get; private set; }

        public List<string> Names { get; } = [];

        public List<CharClass> Classes { get; } = [];

        public Node ParseAlternation()
        {
            var options = new List<Node> { ParseSequence() };
            while (Position < pattern.Length && pattern[Position] == '|')
            {
                Position++;
                options.Add(ParseSequence());
            }

            return options.Count == 1 ? options[0] : new Alternation(options);
        }

        private Node ParseSequence()
        {
            var items = new List<Node>();
            while (Position < pattern.Length && pattern[Position] is not ('|' or ')'))
            {
                var atom = ParseAtom();
                atom = ParseQuantifiers(atom);
                items.Add(atom);
            }

            return items.Count == 1 ? items[0] : new Sequence(items);
        }

        private Node ParseQuantifiers(Node atom)
        {
            while (Position < pattern.Length)
            {
                int min, max;
                var c = pattern[Position];
                if (c == '*')
                {
                    (min, max) = (0, -1);
                    Position++;
                }
                else if (c == '+')
                {
                    (min, max) = (1, -1);
                    Position++;
                }
                else if (c == '?')
                {
                    (min, max) = (0, 1);
                    Position++;
                }
                else if (c == '{')
                {
                    if (!TryCounted(out min, out max))
                    {
                        throw new NotSupportedException();
                    }
                }
                else
                {
                    return atom;
                }

                if (atom is Assert or Empty or Repeat)
                {
                    throw new NotSupportedException();
                }

                var lazy = false;
                if (Position < pattern.Length && pattern[Position] == '?')
                {
                    lazy = true;
                    Position++;
                }

                if (Position < pattern.Length && pattern[Position] == '+')
                {
                    throw new NotSupportedException();
                }

                atom = new Repeat(atom, min, max, lazy);
            }

            return atom;
        }

        private bool TryCounted(out int min, out int max)
        {
            min = max = 0;
            var end = pattern.IndexOf('}', Position);
            if (end < 0)
            {
                return false;
            }

            var body = pattern.AsSpan(Position + 1, end - Position - 1);
            var comma = body.IndexOf(',');
            if (comma < 0)
            {
                if (!int.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out min))
                {
                    return false;
                }

                max = min;
            }
            else
            {
                if (!int.TryParse(body[..comma], NumberStyles.None, CultureInfo.InvariantCulture, out min))
                {
                    return false;
                }

                var upper = body[(comma + 1)..];
                if (upper.Length == 0)
                {
                    max = -1;
                }
                else if (!int.TryParse(upper, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < min)
                {
                    return false;
                }
            }

            if (min > 100 || max > 100)
            {
                return false;
            }

            Position = end + 1;
            return true;
        }

        private Node ParseAtom()
        {
            var c = pattern[Position++];
            switch (c)
            {
                case '.':
                    return new Single(dotAll ? Op.AnyAll : Op.Any);
                case '^':
                    return new Assert(Op.Bol);
                case '$':
                    return new Assert(Op.Eol);
                case '[':
                    return ParseClass();
                case '(':
                    return ParseGroup();
                case '\\':
                    return ParseEscape();
                case '*' or '+' or '?' or '{' or ')':
                    throw new NotSupportedException();
                default:
                    return new Single(Op.Char, c);
            }
        }

        private Node ParseGroup()
        {
            var slot = -1;
            if (Position < pattern.Length && pattern[Position] == '?')
            {
                Position++;
                if (Position < pattern.Length && pattern[Position] == ':')
                {
                    Position++;
                }
                else
                {
                    if (Position < pattern.Length && pattern[Position] == 'P')
                    {
                        Position++;
                    }

                    if (Position >= pattern.Length || pattern[Position] != '<' || Position + 1 >= pattern.Length ||
                        pattern[Position + 1] is '=' or '!')
                    {
                        throw new NotSupportedException();
                    }

                    var end = pattern.IndexOf('>', Position);
                    if (end < 0)
                    {
                        throw new NotSupportedException();
                    }

                    var name = pattern[(Position + 1)..end];
                    if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                    {
                        throw new NotSupportedException();
                    }

                    Position = end + 1;
                    slot = Names.Count;
                    Names.Add(name);
                }
            }

            var body = ParseAlternation();
            if (Position >= pattern.Length || pattern[Position] != ')')
            {
                throw new NotSupportedException();
            }

            Position++;
            return slot < 0 ? body : new Group(body, slot);
        }

        private Node ParseEscape()
        {
            if (Position >= pattern.Length)
            {
                throw new NotSupportedException();
            }

            var c = pattern[Position++];
            switch (c)
            {
                case 'A':
                    return new Assert(Op.Bol);
                case 'z':
                    return new Assert(Op.EndZ);
                case 'Z':
                    return new Assert(Op.Eol);
                case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                    var set = new CharClass();
                    AddShorthand(set, c);
                    Classes.Add(set);
                    return new Single(Op.Class, Class: Classes.Count - 1);
                default:
                    return new Single(Op.Char, EscapedChar(c));
            }
        }

        private static void AddShorthand(CharClass set, char c)
        {
            switch (c)
            {
                case 'd':
                    set.Digit = true;
                    break;
                case 'D':
                    set.NotDigit = true;
                    break;
                case 'w':
                    set.Word = true;
                    break;
                case 'W':
                    set.NotWord = true;
                    break;
                case 's':
                    set.Space = true;
                    break;
                default:
                    set.NotSpace = true;
                    break;
            }
        }

        /// <summary>Simple escapes; anything with a special meaning we do not implement is unsupported.</summary>
        private char EscapedChar(char c)
        {
            switch (c)
            {
                case 't':
                    return '\t';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 'f':
                    return '\f';
                case 'v':
                    return '\v';
                case 'e':
                    return '\u001b';
                case 'a':
                    return '\a';
                case 'x':
                    if (Position + 2 <= pattern.Length &&
                        int.TryParse(pattern.AsSpan(Position, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    {
                        Position += 2;
                        return (char)code;
                    }

                    throw new NotSupportedException();
                default:
                    if (char.IsAsciiLetterOrDigit(c) || c == '_' || c > 127)
                    {
                        throw new NotSupportedException();
                    }

                    return c;
            }
        }

        private Single ParseClass()
        {
            var set = new CharClass();
            if (Position < pattern.Length && pattern[Position] == '^')
            {
                set.Negated = true;
                Position++;
            }

            var first = true;
            while (true)
            {
                if (Position >= pattern.Length)
                {
                    throw new NotSupportedException();
                }

                var c = pattern[Position++];
                if (c == ']' && !first)
                {
                    break;
                }

                first = false;
                if (c == '[')
                {
                    // POSIX classes ([:alpha:]) and .NET subtraction differ between RE2 and .NET.
                    throw new NotSupportedException();
                }

                char low;
                if (c == '\\')
                {
                    if (Position >= pattern.Length)
                    {
                        throw new NotSupportedException();
                    }

                    var e = pattern[Position++];
                    if (e is 'd' or 'D' or 'w' or 'W' or 's' or 'S')
                    {
                        if (set.Negated && e is 'D' or 'W' or 'S')
                        {
                            throw new NotSupportedException();
                        }

                        AddShorthand(set, e);
                        continue;
                    }

                    low = e == 'b' ? '\b' : EscapedChar(e);
                }
                else
                {
                    low = c;
                }

                if (Position + 1 < pattern.Length && pattern[Position] == '-' && pattern[Position + 1] != ']')
                {
                    Position++;
                    var h = pattern[Position++];
                    if (h == '[')
                    {
                        throw new NotSupportedException();
                    }

                    if (h == '\\')
                    {
                        if (Position >= pattern.Length)
                        {
                            throw new NotSupportedException();
                        }

                        h = EscapedChar(pattern[Position++]);
                    }

                    if (h < low)
                    {
                        throw new NotSupportedException();
                    }

                    set.Ranges.Add((low, h));
                }
                else
                {
                    set.Ranges.Add((low, low));
                }
            }

            Classes.Add(set);
            return new Single(Op.Class, Class: Classes.Count - 1);
        }
    }

    private sealed class Emitter
    {
        public List<Instruction> Code { get; } = [];

        public void Emit(Node node)
        {
            if (Code.Count > MaxProgramLength)
            {
                throw new NotSupportedException();
            }

            switch (node)
            {
                case Empty:
                    return;
                case Single single:
                    Code.Add(new Instruction(single.Op, single.C, single.Class));
                    return;
                case Assert assert:
                    Code.Add(new Instruction(assert.Op));
                    return;
                case Sequence sequence:
                    foreach (var item in sequence.Items)
                    {
                        Emit(item);
                    }

                    return;
                case Group group:
                    Code.Add(new Instruction(Op.Save, X: group.Slot * 2));
                    Emit(group.Body);
                    Code.Add(new Instruction(Op.Save, X: (group.Slot * 2) + 1));
                    return;
                case Alternation alternation:
                    EmitAlternation(alternation.Options, 0);
                    return;
                case Repeat repeat:
                    EmitRepeat(repeat);
                    return;
            }
        }

        private void EmitAlternation(List<Node> options, int index)
        {
            if (index == options.Count - 1)
            {
                Emit(options[index]);
                return;
            }

            var split = Code.Count;
            Code.Add(default);
            Emit(options[index]);
            var jump = Code.Count;
            Code.Add(default);
            var next = Code.Count;
            EmitAlternation(options, index + 1);
            Code[split] = new Instruction(Op.Split, X: split + 1, Y: next);
            Code[jump] = new Instruction(Op.Jmp, X: Code.Count);
        }

        private void EmitRepeat(Repeat repeat)
        {
            if (repeat.Max != repeat.Min && CanMatchEmpty(repeat.Body))
            {
                // An optional or looping body that can match nothing needs .NET's empty-loop rules.
                throw new NotSupportedException();
            }

            for (var i = 0; i < repeat.Min; i++)
            {
                Emit(repeat.Body);
            }

            if (!repeat.Lazy && repeat.Body is Single single && repeat.Max != repeat.Min)
            {
                // One instruction for x*, x+, x{n,m} of a single character: a tight loop that backtracks by one.
                var max = repeat.Max < 0 ? -1 : repeat.Max - repeat.Min;
                Code.Add(new Instruction(Op.Star, single.C, single.Class, Z: max, Inner: single.Op));
                return;
            }

            if (repeat.Max < 0)
            {
                // L: split body, out (greedy) / out, body (lazy); body; jmp L
                var loop = Code.Count;
                Code.Add(default);
                Emit(repeat.Body);
                Code.Add(new Instruction(Op.Jmp, X: loop));
                var exit = Code.Count;
                Code[loop] = repeat.Lazy ? new Instruction(Op.Split, X: exit, Y: loop + 1) : new Instruction(Op.Split, X: loop + 1, Y: exit);
                return;
            }

            var splits = new List<int>();
            for (var i = repeat.Min; i < repeat.Max; i++)
            {
                splits.Add(Code.Count);
                Code.Add(default);
                Emit(repeat.Body);
            }

            var end = Code.Count;
            foreach (var split in splits)
            {
                Code[split] = repeat.Lazy ? new Instruction(Op.Split, X: end, Y: split + 1) : new Instruction(Op.Split, X: split + 1, Y: end);
            }
        }

        private static bool CanMatchEmpty(Node node) => node switch
        {
            Empty or Assert => true,
            Single => false,
            Sequence sequence => sequence.Items.TrueForAll(CanMatchEmpty),
            Alternation alternation => alternation.Options.Exists(CanMatchEmpty),
            Group group => CanMatchEmpty(group.Body),
            Repeat repeat => repeat.Min == 0 || CanMatchEmpty(repeat.Body),
            _ => true,
        };
    }
}
