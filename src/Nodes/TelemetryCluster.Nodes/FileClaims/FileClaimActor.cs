using Akka.Actor;
using Akka.Event;

namespace TelemetryCluster.Nodes.FileClaims;

/// <summary>
/// The claim of one file of one shared-storage <c>file_log</c> receiver: a sharded entity, so it lives on exactly one
/// node, and that node's receiver reads the file. Started by the first touch routed to it (any node's receiver touches
/// the files it sees about once a second, which is also how the claim of a dead node's file starts on another node).
/// On hand-off (<see cref="FileClaimStop"/>) it asks the local receiver to release the file — stop reading and write
/// the acknowledged checkpoint — and stops only then, so the next owner resumes where this one stopped.
/// </summary>
internal sealed class FileClaimActor : ReceiveActor
{
    private readonly ClusterFileClaims _claims;
    private readonly string _receiver;
    private readonly string _fileKey;
    private readonly bool _valid;
    private bool _released;

    public FileClaimActor(string entityId, ClusterFileClaims claims)
    {
        _claims = claims;
        _valid = FileClaimTouch.TryParseEntityId(entityId, out _receiver, out _fileKey);
        if (!_valid)
        {
            Context.GetLogger().Warning("file claim entity with an invalid id {0}; it claims nothing", entityId);
        }

        Receive<FileClaimTouch>(_ => { });
        Receive<FileClaimStop>(_ => Release());
    }

    public static Props Props(string entityId, ClusterFileClaims claims) => Akka.Actor.Props.Create(() => new FileClaimActor(entityId, claims));

    protected override void PreStart()
    {
        if (_valid)
        {
            _claims.GrantLocal(_receiver, _fileKey);
        }
    }

    protected override void PostStop()
    {
        if (_valid && !_released)
        {
            // Stopped without a hand-off (the node shuts down): the receiver writes its final checkpoint anyway.
            _ = _claims.ReleaseLocal(_receiver, _fileKey);
        }
    }

    private void Release()
    {
        if (!_valid)
        {
            Context.Stop(Self);
            return;
        }

        _claims.ReleaseLocal(_receiver, _fileKey).PipeTo(Self, success: () => Released.Instance, failure: _ => Released.Instance);
        Become(() =>
        {
            Receive<Released>(_ =>
            {
                _released = true;
                Context.Stop(Self);
            });
            Receive<FileClaimTouch>(_ => { });
            Receive<FileClaimStop>(_ => { });
        });
    }

    private sealed class Released
    {
        public static readonly Released Instance = new();
    }
}
